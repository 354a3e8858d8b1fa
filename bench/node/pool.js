// Node: trivial tasks on libuv's thread pool.
//
//   node bench/node/pool.js all   [N=100000] [stat|pbkdf2]   N tasks at once; tasks_per_s
//   node bench/node/pool.js chain [N=10000]  [stat|pbkdf2]   one at a time; us_per_task
//
// The task is fs.stat of this file (the default, as in the table) or
// crypto.pbkdf2 with 1 iteration (CPU work with almost no cost). The pool is warmed up
// by one task before the clock starts, as in bench/uv/pool.cpp.
// Prints: mode, tasks, wall_s, tasks_per_s, us_per_task.
'use strict';
const fs = require('fs');
const crypto = require('crypto');

const mode = process.argv[2] ?? 'all';
const n = Number(process.argv[3] ?? (mode === 'all' ? 100000 : 10000));
const kind = process.argv[4] ?? 'stat';
if (!['all', 'chain'].includes(mode) || !['stat', 'pbkdf2'].includes(kind)) {
  console.error('usage: node pool.js all|chain [N] [stat|pbkdf2]');
  process.exit(2);
}
const task = kind === 'stat'
  ? (cb) => fs.stat(__filename, cb)
  : (cb) => crypto.pbkdf2('p', 's', 1, 8, 'sha256', cb);

function report(start, done) {
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`mode=${mode} tasks=${done} wall_s=${wall.toFixed(6)} tasks_per_s=${(done / wall).toFixed(0)} ` +
              `us_per_task=${(wall * 1e6 / done).toFixed(3)}`);
  if (done !== n) process.exitCode = 1;
}

task((err) => {  // warm-up: starts the pool's threads
  if (err) throw err;
  let done = 0;
  const start = process.hrtime.bigint();
  if (n === 0) return report(start, 0);
  if (mode === 'all') {
    for (let i = 0; i < n; i++) {
      task((e) => {
        if (e) throw e;
        if (++done === n) report(start, done);
      });
    }
  } else {
    const next = (e) => {
      if (e) throw e;
      if (++done === n) return report(start, done);
      task(next);
    };
    task(next);
  }
});
