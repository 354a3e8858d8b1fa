// nextTick inside a promise callback, promise inside a nextTick.
Promise.resolve().then(() => {
  console.log('promise 1');
  process.nextTick(() => console.log('tick from promise'));
});
process.nextTick(() => {
  console.log('tick 1');
  Promise.resolve().then(() => console.log('promise from tick'));
});
Promise.resolve().then(() => console.log('promise 2'));
