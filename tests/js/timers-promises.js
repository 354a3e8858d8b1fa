// require('timers/promises').setTimeout: the promise a timer resolves, next to plain timers.
const { setTimeout: sleep } = require('timers/promises');
async function main() {
  const v = await sleep(100, 'woke');
  console.log(`first: ${v}`);
  await sleep(50);
  console.log('second');
}
main();
setTimeout(() => console.log('plain 120'), 120);
setTimeout(() => console.log('plain 400'), 400);
