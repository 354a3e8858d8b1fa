// A nextTick queued inside a then runs after the current microtasks drain.
Promise.resolve()
  .then(() => {
    console.log('then 1');
    process.nextTick(() => console.log('tick from then'));
  })
  .then(() => console.log('then 2'));
Promise.resolve().then(() => console.log('other then'));
