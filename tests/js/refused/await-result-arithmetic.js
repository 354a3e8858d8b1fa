// Processing jobs one at a time in a for loop.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function processJob(id) {
  console.log(`start job ${id}`);
  await sleep(100);
  console.log(`end job ${id}`);
  return id * 2;
}
async function main() {
  let total = 0;
  for (let id = 1; id <= 3; id++) {
    const result = await processJob(id);
    total += result;
  }
  console.log(`total ${total}`);
}
main();
