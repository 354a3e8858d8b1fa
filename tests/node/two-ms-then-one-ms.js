// expect: consistent
// Timers of 2 ms then 1 ms, set back to back (tests/races/one-ms-vs-two-ms.js, docs/races.md):
// the 2 ms timer runs first exactly when libuv's clock moved on between the two calls, which
// shows as different _idleStart: a timer's start is the clock read when it is set, in whole
// milliseconds, not one start shared by the whole program.
const order = [];
const a = setTimeout(() => order.push('2 ms'), 2);
const b = setTimeout(() => order.push('1 ms'), 1);
process.on('exit', () => {
  const twoFirst = order[0] === '2 ms';
  const moved = a._idleStart !== b._idleStart;
  console.log(twoFirst === moved ? 'consistent' : `inconsistent: ${order} (starts ${a._idleStart}, ${b._idleStart})`);
});
