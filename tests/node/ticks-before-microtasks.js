// expect: main | tick | microtask | then
queueMicrotask(() => console.log('microtask'));
Promise.resolve().then(() => console.log('then'));
process.nextTick(() => console.log('tick'));
console.log('main');
