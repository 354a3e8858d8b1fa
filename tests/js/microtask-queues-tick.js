// A nextTick queued from a microtask waits until the microtask queue is empty.
queueMicrotask(() => {
  console.log('microtask 1');
  process.nextTick(() => console.log('tick from microtask'));
});
queueMicrotask(() => console.log('microtask 2'));
