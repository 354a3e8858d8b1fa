// The classic quiz: which runs first, and why? (A 100 ms timer: at 0 ms, the timer against
// the immediate is a race in Node, decided by how long the program took to start.)
console.log('start');
setTimeout(() => console.log('timeout'), 100);
setImmediate(() => console.log('immediate'));
Promise.resolve().then(() => console.log('promise'));
process.nextTick(() => console.log('nextTick'));
queueMicrotask(() => console.log('microtask'));
console.log('end');
