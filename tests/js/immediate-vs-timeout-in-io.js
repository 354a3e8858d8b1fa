// Inside an I/O callback, setImmediate always runs before setTimeout(0).
const fs = require('fs');
fs.readFile('hello.txt', 'utf8', (err, data) => {
  console.log(`read ${data.length} bytes`);
  setTimeout(() => console.log('timeout'), 0);
  setImmediate(() => console.log('immediate'));
});
