// try/catch/finally around two awaits: the second await's rejection is caught, finally
// runs, and the function goes on after the try, each resuming a microtask turn later.
async function main() {
  try {
    console.log('start');
    const a = await Promise.resolve('a');
    console.log(`got ${a}`);
    await Promise.reject(new Error('second'));
    console.log('not printed');
  } catch (e) {
    console.log(`caught ${e.message}`);
  } finally {
    console.log('finally');
  }
  console.log('after try');
}
main();
Promise.resolve()
  .then(() => console.log('a1'))
  .then(() => console.log('a2'))
  .then(() => console.log('a3'));
