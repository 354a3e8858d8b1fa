// The "sleep" every course writes: a promise resolved later, from a timer.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
sleep(10).then(() => console.log('slept'));
