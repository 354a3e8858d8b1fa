// An async function as a .then callback: the then's promise resolves with the async
// function's promise, which costs two turns more than returning the value itself.
Promise.resolve('x')
  .then(async (v) => {
    console.log(`async callback got ${v}`);
    return 'r';
  })
  .then((v) => console.log(`after the async callback: ${v}`));
Promise.resolve()
  .then(() => console.log('a1'))
  .then(() => console.log('a2'))
  .then(() => console.log('a3'))
  .then(() => console.log('a4'))
  .then(() => console.log('a5'));
