// util.promisify(fs.readFile), then a .then: the callback read, as a promise.
const { promisify } = require('util');
const { readFile } = require('fs');
const read = promisify(readFile);
read('hello.txt', 'utf8').then((text) => console.log(`promisified: ${text.length}`));
setImmediate(() => console.log('immediate'));
