// A then that returns a thenable object (not a promise): the next then waits for the
// thenable's then to be called (a job) and for what it resolves. Against a plain chain.
Promise.resolve(1)
  .then(() => ({ then: (resolve) => resolve(2) }))
  .then((v) => console.log(`value ${v}`));
Promise.resolve()
  .then(() => console.log('b1'))
  .then(() => console.log('b2'))
  .then(() => console.log('b3'))
  .then(() => console.log('b4'));
