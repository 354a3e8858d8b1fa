// A finally that returns a promise: the value passes on only once that promise is
// fulfilled (here a timer later), so the timer set before runs first.
const { setTimeout: sleep } = require('timers/promises');
const p = Promise.resolve('kept');
p.finally(() => {
  console.log('cleanup starts');
  return sleep(20);
}).then((v) => console.log(`after cleanup: ${v}`));
setTimeout(() => console.log('timer 10'), 10);
setTimeout(() => console.log('timer 300'), 300);
