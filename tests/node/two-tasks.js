// expect: task A | task B | timer A | timer B
// Both pool tasks finish while the main program still runs (it blocks 300 ms), so one
// poll phase delivers both, then the timers they set run. (Two fs.readFile calls race:
// each makes four trips, and node prints "read A | timer A | read B | timer B" in about
// one run in ten.)
const crypto = require('crypto');
crypto.pbkdf2('a', 'salt', 1000, 32, 'sha256', () => { console.log('task A'); setTimeout(() => console.log('timer A'), 0); });
crypto.pbkdf2('b', 'salt', 1000, 32, 'sha256', () => { console.log('task B'); setTimeout(() => console.log('timer B'), 0); });
const s = Date.now(); while (Date.now() - s < 300);
