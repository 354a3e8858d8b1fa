// Where does an async function's code run, next to nextTick, a promise and setImmediate?
async function work() {
  console.log('work: before await');
  await null;
  console.log('work: after await');
}
setImmediate(() => console.log('immediate'));
process.nextTick(() => console.log('nextTick'));
work();
Promise.resolve().then(() => console.log('then'));
console.log('main');
