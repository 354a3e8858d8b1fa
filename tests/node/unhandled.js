// expect: still runs
Promise.reject(new Error('boom')).then(() => console.log('skipped'));
queueMicrotask(() => console.log('still runs'));
setTimeout(() => console.log('never'), 10);
