// Microtasks run between one timer callback and the next (Node 11 and later).
setTimeout(() => {
  console.log('timer 1');
  Promise.resolve().then(() => console.log('promise in timer 1'));
  process.nextTick(() => console.log('tick in timer 1'));
}, 5);
setTimeout(() => console.log('timer 2'), 5);
