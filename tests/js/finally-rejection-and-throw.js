// A finally lets a rejection through to the catch after it; a finally that throws replaces
// what came in, and sooner (no promise to wait for). Which catch prints first?
Promise.reject(new Error('boom'))
  .finally(() => console.log('finally'))
  .catch((e) => console.log(`caught: ${e.message}`));
Promise.resolve()
  .finally(() => {
    throw new Error('in finally');
  })
  .catch((e) => console.log(`caught: ${e.message}`));
Promise.resolve()
  .then(() => console.log('a1'))
  .then(() => console.log('a2'))
  .then(() => console.log('a3'))
  .then(() => console.log('a4'));
