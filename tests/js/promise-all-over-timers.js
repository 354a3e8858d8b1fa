// Promise.all over three sleeps: when does it settle, and in what order do the values come?
const sleep = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms));
async function main() {
  console.log('start');
  const values = await Promise.all([sleep(300, 'slow'), sleep(100, 'fast'), sleep(200, 'middle')]);
  console.log(`all: ${values}`);
}
main();
setTimeout(() => console.log('timer 150'), 150);
