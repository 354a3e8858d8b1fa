setTimeout(() => {
  console.log('outer');
  setTimeout(() => console.log('inner 0'), 0);
  setImmediate(() => console.log('immediate from timer'));
}, 10);
