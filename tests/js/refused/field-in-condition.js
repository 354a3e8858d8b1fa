const fs = require('fs');
let longest = 0;
fs.readFile(__filename, 'utf8', (err, text) => {
  if (text.length > longest) longest = text.length;
});
