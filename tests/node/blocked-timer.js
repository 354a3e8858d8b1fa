// expect: unblocked | timer
setTimeout(() => console.log('timer'), 200);
setImmediate(() => { const s = Date.now(); while (Date.now() - s < 500); console.log('unblocked'); });
