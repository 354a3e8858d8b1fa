// Does `return p` in an async function cost more than `return await p`? (Node: one turn
// more. Returning a promise costs two turns, the thenable job and the then it calls;
// `return await p` costs one, the await. So the caller of returnAwait goes on after b1,
// the caller of returnP after b2.)
const p = Promise.resolve('v');
async function returnP() {
  return p;
}
async function returnAwait() {
  return await p;
}
async function callerP() {
  const v = await returnP();
  console.log(`after return p: ${v}`);
}
async function callerAwait() {
  const v = await returnAwait();
  console.log(`after return await p: ${v}`);
}
callerP();
callerAwait();
Promise.resolve()
  .then(() => console.log('b1'))
  .then(() => console.log('b2'))
  .then(() => console.log('b3'))
  .then(() => console.log('b4'));
