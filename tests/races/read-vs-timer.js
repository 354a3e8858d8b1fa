// A read of a small file against a timer of about the read's time.
const fs = require('fs');
const file = require('path').join(__dirname, '../../scenarios/races/test.txt');
fs.readFile(file, () => console.log('read'));
setTimeout(() => console.log('timeout'), 2);
