// The sleep every course writes, used with .then: how do two sleeps and a timer interleave?
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
sleep(300).then(() => console.log('slept 300'));
const short = sleep(50);
short.then(() => console.log('slept 50'));
setTimeout(() => console.log('timeout 150'), 150);
