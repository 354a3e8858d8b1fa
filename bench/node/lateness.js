// Node: how late do timers fire? N one-shot timers at 1..SPAN ms, registered at once.
//
//   node bench/node/lateness.js [N=1000] [SPAN=1000]
//
// Timer i has the delay 1 + i % SPAN ms and is due at process.hrtime.bigint() when
// setTimeout is called, plus that delay; its callback records hrtime - due. Node counts
// from libuv's cached loop time in whole milliseconds, so a timer could fire before `due`
// measured this way: a negative min and `early` would show that.
// Prints: count, min_ms, p50_ms, p99_ms, max_ms, early.
'use strict';

const n = Number(process.argv[2] ?? 1000);
const span = Math.max(1, Number(process.argv[3] ?? 1000));
const late = [];

for (let i = 0; i < n; i++) {
  const delay = 1 + (i % span);
  const due = process.hrtime.bigint() + BigInt(delay) * 1000000n;
  setTimeout(() => {
    late.push(Number(process.hrtime.bigint() - due));
  }, delay);
}

process.on('exit', () => {
  late.sort((a, b) => a - b);
  const pct = (p) => (late.length ? late[Math.round(p * (late.length - 1))] / 1e6 : 0);
  const early = late.filter((v) => v < 0).length;
  const f = (v) => v.toFixed(4);
  console.log(`count=${late.length} min_ms=${f(late.length ? late[0] / 1e6 : 0)} p50_ms=${f(pct(0.5))} ` +
              `p99_ms=${f(pct(0.99))} max_ms=${f(late.length ? late[late.length - 1] / 1e6 : 0)} early=${early}`);
  if (late.length !== n) process.exitCode = 1;
});
