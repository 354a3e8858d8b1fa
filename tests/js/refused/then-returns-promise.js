// A then that returns a thenable object (not a promise): objects are not supported.
Promise.resolve(1)
  .then(() => ({ then: (resolve) => resolve(2) }))
  .then((v) => console.log(v));
