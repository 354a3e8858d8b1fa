// Microtasks also run between one immediate and the next.
setImmediate(() => {
  console.log('immediate 1');
  queueMicrotask(() => console.log('microtask in immediate 1'));
});
setImmediate(() => console.log('immediate 2'));
