// Timers fire by deadline, and equal deadlines in the order they were set.
setTimeout(() => console.log('30 ms'), 30);
setTimeout(() => console.log('10 ms'), 10);
setTimeout(() => console.log('20 ms a'), 20);
setTimeout(() => console.log('20 ms b'), 20);
