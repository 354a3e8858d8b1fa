// An async function as a .then callback: the promise it returns would be adopted, which the
// translator does not follow yet (an async callback of a timer is fine).
Promise.resolve(1).then(async (v) => console.log(v));
