// expect: B60 | A30
// A timer's start is read from the clock when it is set (getLibuvNow updates the loop
// time), not the time cached at the iteration's start: after a 50 ms block, A30 is due at
// 80 ms, after B60.
const block = (ms) => { const s = Date.now(); while (Date.now() - s < ms); };
setTimeout(() => console.log('B60'), 60);
block(50);
setTimeout(() => console.log('A30'), 30);
