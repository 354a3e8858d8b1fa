// An await inside catch (a retry after a failure): only the try block may await.
async function main() {
  try {
    await Promise.reject(new Error('first'));
  } catch (e) {
    await null;
    console.log('retried');
  }
}
main();
