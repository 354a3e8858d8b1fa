// A nextTick that queues itself needs a counter to stop: state, which comes later.
function again() {
  console.log('again');
  process.nextTick(again);
}
again();
