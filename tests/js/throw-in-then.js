Promise.resolve('x')
  .then((v) => {
    console.log(`then ${v}`);
    throw new Error('bad');
  })
  .then(() => console.log('never'))
  .catch((e) => console.log(`caught ${e.message}`));
