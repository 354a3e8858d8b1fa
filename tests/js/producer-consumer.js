// A producer puts items with delays; a consumer awaits each one.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function producer() {
  for (const item of ['a', 'b', 'c']) {
    await sleep(200);
    console.log(`produced ${item}`);
  }
}
async function consumer() {
  for (const item of ['a', 'b', 'c']) {
    await sleep(500);
    console.log(`consumed ${item}`);
  }
}
Promise.all([producer(), consumer()]).then(() => console.log('pipeline done'));
