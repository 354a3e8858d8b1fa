// A return inside try, before its finally: the finally would have to run between the
// return and the function's end, which the translator does not follow yet.
async function main() {
  try {
    await null;
    return 'early';
  } finally {
    console.log('finally');
  }
}
main();
