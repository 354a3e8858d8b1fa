// How long lies between a 0 ms timer's start and the clock reads that decide when it runs,
// in timeout-vs-immediate-in-immediate.js: the timer set right after the first console.log,
// then the end of its iteration (the first write's afterWriteTick nextTick drains, then the
// timers phase starts) and the next iterations. Prints milliseconds from the timer's start
// to: the end of its immediate, a nextTick queued there (after afterWriteTick), the timer
// set before (timeout 1, in the timers phase), and the next immediate; and the nextTicks
// queued by console.log. Measured here (node v20.20.2, 2 CPUs, load average 4 to 6), 8
// runs where timeout 1 ran after immediate 1: to the immediate's end 0.04 to 0.05 ms, to
// the nextTick 0.17 to 0.20, to timeout 1 0.34 to 0.43, to the next immediate 0.45 to 0.61;
// console.log queued one afterWriteTick each time. At a load average of 21, 6 runs: to
// the nextTick 0.22 to 8.1 ms, to the next immediate 0.38 to 8.5 ms (the process
// preempted): where the orders only a loaded machine prints come from.
const ms = () => Number(process.hrtime.bigint()) / 1e6;
const ticks = [];
const nextTick = process.nextTick;
process.nextTick = function (fn, ...args) {
  ticks.push(fn.name || 'anonymous');
  return nextTick.call(process, fn, ...args);
};
const r = {};
setImmediate(() => {
  setTimeout(() => { r.timeout1 = ms(); }, 0);
  setImmediate(() => {
    console.log('immediate 1');
    r.start = ms();
    setTimeout(() => {}, 0);
    setImmediate(() => {
      r.next = ms();
      const f = (k) => (r[k] - r.start).toFixed(3);
      console.log(`end ${f('end')} tick ${f('tick')} timeout1 ${f('timeout1')} next ${f('next')} ticks ${ticks.join(',')}`);
    });
    nextTick.call(process, () => { r.tick = ms(); });
    r.end = ms();
  });
});
