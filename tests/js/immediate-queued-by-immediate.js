// An immediate queued by an immediate waits for the next loop iteration.
setImmediate(() => {
  console.log('first');
  setImmediate(() => console.log('third (next iteration)'));
});
setImmediate(() => console.log('second'));
