// Without an encoding, readFile gives a Buffer; its length is the file's size in bytes.
const fs = require('fs');
fs.readFile('hello.txt', (err, data) => {
  console.log('bytes:', data.length);
});
setImmediate(() => console.log('immediate first: the read takes four trips through the pool'));
