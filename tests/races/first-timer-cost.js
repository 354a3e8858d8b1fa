// What the first setTimeout costs, and how long after its start the timer runs: the first
// call sets Node's timer lists up (about 0.2 ms on this machine), so a 0 ms timer set in
// an immediate is due by that iteration's timers phase in about one run in five
// (timeout-in-immediate-vs-chain.orders). Prints microseconds: setTimeout's own call, the
// setImmediate after it, and from the call to the timer's callback.
// Measured here (node v20.20.2, 2 CPUs), 8 runs: setTimeout 168 to 207 us; toTimer 315 us
// once (due in the same iteration), 1547 us or more in the others.
const h = () => Number(process.hrtime.bigint()) / 1e3;
let a, b, c;
setImmediate(() => {
  a = h();
  setTimeout(() => {
    const d = h();
    console.log(`setTimeout ${(b - a).toFixed(0)} setImmediate ${(c - b).toFixed(0)} toTimer ${(d - a).toFixed(0)}`);
  }, 0);
  b = h();
  setImmediate(() => {});
  c = h();
});
