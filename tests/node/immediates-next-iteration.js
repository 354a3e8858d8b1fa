// expect: a | b | timer | c
// c is queued during the check phase, so it waits for the next iteration; the timer that
// b sets (and is due by then: b blocks 3 ms) runs at the end of the first iteration.
setImmediate(() => { console.log('a'); setImmediate(() => console.log('c')); });
setImmediate(() => {
  console.log('b');
  setTimeout(() => console.log('timer'), 1);
  const t = Date.now(); while (Date.now() - t < 3);
});
