// A 0 ms timer and an immediate, then the program's first console.log.
setTimeout(() => console.log('timeout'), 0);
setImmediate(() => console.log('immediate'));
console.log('main');
