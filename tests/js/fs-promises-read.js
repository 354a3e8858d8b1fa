// A read with fs.promises and await: does it come before or after a nextTick and a
// timer far away? (The read finishes in the poll phase, as fs.readFile's does.)
const fs = require('fs');
async function main() {
  console.log('reading');
  const text = await fs.promises.readFile('hello.txt', 'utf8');
  console.log(`read ${text.length} bytes`);
}
main();
process.nextTick(() => console.log('nextTick'));
setTimeout(() => console.log('timer 1500'), 1500);
