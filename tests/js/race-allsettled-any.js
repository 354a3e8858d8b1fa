// race, allSettled and any over the same three promises: which settles first, and with what?
const sleep = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms));
const fail = (ms, message) => new Promise((resolve, reject) => setTimeout(() => reject(new Error(message)), ms));
const a = sleep(200, 'a');
const b = fail(50, 'b failed');
const c = sleep(100, 'c');
Promise.race([a, b, c]).catch((err) => console.log(`race: ${err.message}`));
Promise.any([a, b, c]).then((v) => console.log(`any: ${v}`));
Promise.allSettled([a, b, c]).then((results) => console.log(`allSettled: ${results}`));
Promise.all([a, b, c]).catch((err) => console.log(`all: ${err.message}`));
