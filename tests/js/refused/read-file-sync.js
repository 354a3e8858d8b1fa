const fs = require('fs');
const text = fs.readFileSync('hello.txt', 'utf8');
