// Node's docs' example: inside an I/O callback, setImmediate always runs before
// setTimeout(0). __filename and path.join(__dirname, ...) name files beside the program.
const fs = require('fs');
const path = require('path');
fs.readFile(__filename, () => {
  console.log('read myself');
  setTimeout(() => {
    console.log('timeout');
    fs.readFile(path.join(__dirname, 'hello.txt'), 'utf8', (err, text) => console.log(`hello.txt: ${text.length} bytes`));
  }, 0);
  setImmediate(() => console.log('immediate'));
});
