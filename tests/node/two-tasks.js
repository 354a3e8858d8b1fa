// expect: task A | task B | timer A | timer B
// Both pool tasks finish while the main program still runs (it blocks 400 ms), so one
// poll phase delivers both, then the timers they set run. Task B does 100 times the work
// of task A (about 50 ms against 0.5 ms here), so A finishes first on every run: two
// equal tasks on two pool threads finish in either order. (Two fs.readFile calls race
// too: each makes four trips, and node prints "read A | timer A | read B | timer B" in
// about one run in ten.)
const crypto = require('crypto');
crypto.pbkdf2('a', 'salt', 1000, 32, 'sha256', () => { console.log('task A'); setTimeout(() => console.log('timer A'), 0); });
crypto.pbkdf2('b', 'salt', 100000, 32, 'sha256', () => { console.log('task B'); setTimeout(() => console.log('timer B'), 0); });
const s = Date.now(); while (Date.now() - s < 400);
