// Which callback sees which value: a log built up by the script, a nextTick, a promise,
// an immediate and the timer it sets shows the order they ran in.
let log = 'start';
setImmediate(() => {
  log = log + ' > immediate';
  console.log(log);
  setTimeout(() => {
    log = log + ' > timeout';
    console.log(log);
  }, 0);
});
Promise.resolve().then(() => {
  log += ' > promise';
  console.log(log);
});
process.nextTick(() => {
  log += ' > nextTick';
  console.log(log);
});
log += ' > script';
console.log(log);
