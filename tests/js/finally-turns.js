// How many microtask turns does .finally cost? The then after it sees the value passed
// through, but only after finally's own Promise.resolve(result).then(() => value) and the
// job that adopts it: compare with the a1..a5 chain.
Promise.resolve('v')
  .finally(() => console.log('finally'))
  .then((v) => console.log(`then after finally: ${v}`));
Promise.resolve('w')
  .then(() => console.log('a1'))
  .then(() => console.log('a2'))
  .then(() => console.log('a3'))
  .then(() => console.log('a4'))
  .then(() => console.log('a5'));
