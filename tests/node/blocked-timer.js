// expect: unblocked | timer
setTimeout(() => console.log('timer'), 10);
setImmediate(() => { const s = Date.now(); while (Date.now() - s < 100); console.log('unblocked'); });
