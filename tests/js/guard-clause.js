// A function that returns early: the rest of its body does not run.
let calls = 0;
function handle(kind) {
  calls++;
  if (kind === 'skip') {
    console.log(`call ${calls}: skipped`);
    return;
  }
  console.log(`call ${calls}: handled ${kind}`);
}
handle('a');
handle('skip');
setImmediate(() => handle('b'));
