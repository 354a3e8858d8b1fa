// A rejected promise whose .catch is attached in a nextTick: is it an unhandled rejection?
// (Node: no; the catch comes before the microtasks drain.)
const failed = Promise.reject(new Error('boom'));
process.nextTick(() => {
  failed.catch((err) => console.log(`caught late: ${err.message}`));
});
console.log('main done');
