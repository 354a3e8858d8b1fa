// Node: N one-shot timers spread over 1..SPAN ms (N/SPAN per ms), registered at once.
//
//   node bench/node/timers.js [N=1000000] [SPAN=1000] [HOLD_MS=0]
//
// Timer i gets the delay 1 + i % SPAN (the order of bench/uv/timers.cpp and
// bench/scenarios/timers.json). HOLD_MS > 0 adds one more timer at HOLD_MS so that the
// process stays alive after the burst and its RSS can be sampled.
// Prints: wall_s (since the process started), peak_rss_kb, fired.
'use strict';
const { performance } = require('perf_hooks');

const n = Number(process.argv[2] ?? 1000000);
const span = Math.max(1, Number(process.argv[3] ?? 1000));
const hold = Number(process.argv[4] ?? 0);

let fired = 0;
function onTimer() {
  fired++;
}
for (let i = 0; i < n; i++) setTimeout(onTimer, 1 + (i % span));
if (hold > 0) setTimeout(() => {}, hold);

process.on('exit', () => {
  const wall = performance.now() / 1000;  // ms since the process's time origin
  const rss = process.resourceUsage().maxRSS;  // KiB
  console.log(`wall_s=${wall.toFixed(6)} peak_rss_kb=${rss} fired=${fired}`);
  if (fired !== n) process.exitCode = 1;
});
