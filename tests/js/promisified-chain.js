// The same sequence with a promisified readFile and a chain.
const fs = require('fs');
const util = require('util');
const readFileP = util.promisify(fs.readFile);
readFileP(__dirname + '/hello.txt', 'utf8')
  .then((data) => {
    console.log(`first: ${data.length}`);
    return readFileP(__dirname + '/hello.txt', 'utf8');
  })
  .then((data) => console.log(`second: ${data.length}`))
  .catch((err) => console.log(`failed: ${err.message}`));
console.log('started');
