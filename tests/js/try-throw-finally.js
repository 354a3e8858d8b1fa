// A throw inside try is caught at once (no turn), a finally runs after both paths, and a
// try/finally without catch lets the error leave the function: its caller's catch gets it.
const { setTimeout: sleep } = require('timers/promises');
async function check(n) {
  try {
    console.log(`check ${n}`);
    if (n > 1) {
      console.log('too big');
    }
    await sleep(n);
    throw new Error(`bad ${n}`);
  } catch (e) {
    console.log(`caught ${e.message}`);
  } finally {
    console.log(`finally ${n}`);
  }
  return n;
}
async function cleanup() {
  try {
    await sleep(5);
    throw new Error('not handled here');
  } finally {
    console.log('cleanup finally');
  }
}
check(1).then((v) => console.log(`checked ${v}`));
cleanup().catch((e) => console.log(`caller caught: ${e.message}`));
console.log('sync end');
