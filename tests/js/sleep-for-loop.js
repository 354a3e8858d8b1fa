// A sleep in a classic for loop inside an async function.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function main() {
  for (let i = 0; i < 3; i++) {
    console.log(`step ${i}`);
    await sleep(50);
  }
  console.log('done');
}
main();
setTimeout(() => console.log('timer at 75'), 75);
