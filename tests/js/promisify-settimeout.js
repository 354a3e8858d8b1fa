// util.promisify(setTimeout) gives the same promise as timers/promises: two sleeps in a row.
const util = require('util');
const wait = util.promisify(setTimeout);
async function steps() {
  console.log('step 1');
  await wait(20);
  console.log('step 2');
  await wait(20);
  console.log('step 3');
}
steps();
setTimeout(() => console.log('timer 30'), 30);
