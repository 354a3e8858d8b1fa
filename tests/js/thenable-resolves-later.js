// A thenable whose then resolves later, from a timer: the await waits for the timer.
const later = {
  then(resolve) {
    console.log('then called');
    setTimeout(() => resolve('late'), 10);
  },
};
async function main() {
  console.log('before await');
  const v = await later;
  console.log(`after await: ${v}`);
}
main();
setTimeout(() => console.log('timeout 0'), 0);
