// process.on('unhandledRejection'): when does the handler run, next to a nextTick and a timer?
process.on('unhandledRejection', (reason) => {
  console.log(`unhandled: ${reason.message}`);
  process.nextTick(() => console.log('tick after the handler'));
});
async function broken() {
  await null;
  throw new Error('nobody caught me');
}
broken();
setTimeout(() => console.log('timer'), 0);
Promise.resolve().then(() => console.log('then'));
