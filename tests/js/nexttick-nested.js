// A nextTick queued by a nextTick still runs before any promise.
process.nextTick(() => {
  console.log('tick 1');
  process.nextTick(() => {
    console.log('tick 2');
    process.nextTick(() => console.log('tick 3'));
  });
});
Promise.resolve().then(() => console.log('promise'));
