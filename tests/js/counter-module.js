// A counter "module": a closure over a private count, used from timers. (At 10 ms the timeout
// can beat the immediate in Node: the first console.log, ~12-16 ms here, runs on its clock.)
let count = 0;
function increment() {
  count++;
  return count;
}
function report(where) {
  console.log(`${where}: ${count}`);
}
increment();
setTimeout(() => {
  increment();
  report('timeout');
}, 100);
setImmediate(() => {
  increment();
  report('immediate');
});
report('main');
