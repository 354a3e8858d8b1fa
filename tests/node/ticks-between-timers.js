// expect: t1 | tick | then | t2
setTimeout(() => {
  console.log('t1');
  process.nextTick(() => console.log('tick'));
  Promise.resolve().then(() => console.log('then'));
}, 5);
setTimeout(() => console.log('t2'), 5);
