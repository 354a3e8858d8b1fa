// try/catch in an async function takes one await in its try block, nothing else yet.
async function main() {
  try {
    await null;
    console.log('after the await, still in try');
  } catch (e) {
    console.log('caught');
  }
}
main();
