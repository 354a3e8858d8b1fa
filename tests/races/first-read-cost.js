// How long a program's first fs.readFile takes against a second, warm one: the first
// waits for libuv's pool threads to start (read-vs-timer.orders: a 2 ms timer beats the
// first read in about one run in eight). Prints microseconds, from the call to the callback.
// Measured here (node v20.20.2, 2 CPUs), 12 runs: first 575 to 9919 us (over 2 ms in 4),
// second 80 to 226 us.
const fs = require('fs');
const h = () => Number(process.hrtime.bigint()) / 1e3;
const file = require('path').join(__dirname, '../../scenarios/races/test.txt');
const t0 = h();
fs.readFile(file, () => {
  const t1 = h();
  fs.readFile(file, () => console.log(`first ${(t1 - t0).toFixed(0)} second ${(h() - t1).toFixed(0)}`));
});
