// A rejection skips the then steps until a catch handles it.
Promise.reject(new Error('boom'))
  .then(() => console.log('skipped'))
  .catch((err) => {
    console.log(`caught ${err.message}`);
    return 'recovered';
  })
  .then((v) => console.log(`after: ${v}`));
