const fs = require('fs');
fs.readFile('missing.txt', 'utf8', (err, data) => {
  if (err) console.log('no file');
});
