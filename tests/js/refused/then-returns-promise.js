// Returning a promise from then costs two extra microtask turns in Node: item 1 of issue 21.
Promise.resolve(1)
  .then(() => Promise.resolve(2))
  .then((v) => console.log(v));
