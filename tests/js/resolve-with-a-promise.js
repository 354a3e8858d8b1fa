// new Promise whose resolve is given another promise: the outer one waits two turns more.
const inner = Promise.resolve('inner');
const outer = new Promise((resolve) => resolve(inner));
outer.then((v) => console.log(`outer: ${v}`));
inner.then((v) => console.log(`inner: ${v}`));
Promise.resolve()
  .then(() => console.log('t1'))
  .then(() => console.log('t2'))
  .then(() => console.log('t3'));
