// Awaiting one after another takes the sum; Promise.all takes the longest.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function sequential() {
  await sleep(200);
  await sleep(200);
  console.log('sequential done');
}
async function parallel() {
  await Promise.all([sleep(200), sleep(200)]);
  console.log('parallel done');
}
sequential();
parallel();
setTimeout(() => console.log('300 ms'), 300);
