const fs = require('node:fs');
fs.readFile('hello.txt', 'utf8', function (err, text) {
  console.log(`got ${text.length} bytes`);
  Promise.resolve(text.length).then((n) => console.log(`promise saw ${n}`));
  process.nextTick(() => console.log('tick after read'));
});
console.log('reading');
