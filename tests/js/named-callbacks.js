// Named functions as callbacks.
function onTimeout() {
  console.log('timeout fired');
  process.nextTick(afterTick);
}
function afterTick() {
  console.log('tick after the timeout');
}
setTimeout(onTimeout, 5);
