// A sleep inside a for...of: do the three lines come at once, or one per sleep?
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function countdown() {
  for (const n of [3, 2, 1]) {
    console.log(`${n}...`);
    await sleep(100);
  }
  console.log('liftoff');
}
countdown();
setTimeout(() => console.log('timer at 150 ms'), 150);
