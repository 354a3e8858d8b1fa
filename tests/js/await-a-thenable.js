// await of an object with a then method (a thenable), against a chain of thens counting
// turns. Node calls its then in a job of its own (NewPromiseResolveThenableJob): how late
// does the async function go on, compared with awaiting a native promise?
const thenable = {
  then(resolve) {
    console.log('then called');
    resolve('from thenable');
  },
};
async function viaThenable() {
  const v = await thenable;
  console.log(`thenable: ${v}`);
}
async function viaPromise() {
  const v = await Promise.resolve('from promise');
  console.log(`promise: ${v}`);
}
viaThenable();
viaPromise();
Promise.resolve()
  .then(() => console.log('t1'))
  .then(() => console.log('t2'))
  .then(() => console.log('t3'));
console.log('sync end');
