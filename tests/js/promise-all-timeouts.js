// Promise.all waits for the slowest; results in argument order.
function delay(ms, value) {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}
Promise.all([delay(30, 'slow'), delay(10, 'fast')]).then((values) => console.log('all done'));
delay(20, 'middle').then((v) => console.log(v));
