// A value passed down a chain of then steps.
Promise.resolve('a')
  .then((v) => {
    console.log(`first ${v}`);
    return 'b';
  })
  .then((v) => {
    console.log(`second ${v}`);
    return 'c';
  })
  .then((v) => console.log(`third ${v}`));
console.log('sync');
