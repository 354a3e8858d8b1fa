// An async .catch callback that awaits before it recovers: the chain goes on once the
// callback's own await and its promise's adoption are done.
const { setTimeout: sleep } = require('timers/promises');
Promise.reject(new Error('first try failed'))
  .catch(async (e) => {
    console.log(`caught: ${e.message}`);
    await sleep(10);
    console.log('retried');
    return 'second try';
  })
  .then((v) => console.log(`result: ${v}`));
setTimeout(() => console.log('timer 5'), 5);
process.nextTick(() => console.log('tick'));
