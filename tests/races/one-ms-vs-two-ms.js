// Timers of 2 ms and 1 ms, set back to back.
setTimeout(() => console.log('2 ms'), 2);
setTimeout(() => console.log('1 ms'), 1);
