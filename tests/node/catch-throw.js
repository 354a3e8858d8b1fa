// expect: then x | caught bad | after ok
Promise.resolve('x')
  .then((v) => { console.log('then ' + v); throw new Error('bad'); })
  .then(() => console.log('skipped'))
  .catch((e) => { console.log('caught ' + e.message); return 'ok'; })
  .then((v) => console.log('after ' + v));
