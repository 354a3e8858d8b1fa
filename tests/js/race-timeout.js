// A timeout with Promise.race: the work takes 200 ms, the limit is 50 ms.
function work() {
  return new Promise((resolve) => setTimeout(() => resolve('work done'), 200));
}
function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), ms));
}
Promise.race([work(), timeout(50)])
  .then((v) => console.log(v))
  .catch((e) => console.log(e.message));
