// The example: a then that returns a promise makes the next then wait two more
// turns (NewPromiseResolveThenableJob, then the then it calls). Node: a1 b1 b2 b3 a2 x b4.
const x = Promise.resolve('x');
Promise.resolve()
  .then(() => {
    console.log('a1');
    return x;
  })
  .then((v) => console.log(`a2 ${v}`));
Promise.resolve()
  .then(() => console.log('b1'))
  .then(() => console.log('b2'))
  .then(() => console.log('b3'))
  .then(() => console.log('b4'));
