// Two async functions awaited in turn, and one not awaited: in which order do they finish?
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function task(name, ms) {
  console.log(`${name} starts`);
  await sleep(ms);
  console.log(`${name} ends`);
  return name;
}
async function main() {
  const first = await task('A', 100);
  const second = await task('B', 50);
  console.log(`main: ${first} then ${second}`);
}
main();
task('C', 120);
