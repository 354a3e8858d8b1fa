// Is Promise.resolve(x) always x? For a native promise it is (no turn added); for an
// object with a then method it is a new promise, whose then is called in a job first.
const native = Promise.resolve('native');
const thenable = {
  then(resolve) {
    console.log('then called');
    resolve('thenable');
  },
};
Promise.resolve(thenable).then((v) => console.log(`resolved ${v}`));
Promise.resolve(native).then((v) => console.log(`resolved ${v}`));
Promise.resolve()
  .then(() => console.log('t1'))
  .then(() => console.log('t2'))
  .then(() => console.log('t3'));
