// Reads of two different small files, started back to back.
const fs = require('fs');
const path = require('path');
for (const name of ['test.txt', 'other.txt']) {
  fs.readFile(path.join(__dirname, '../../scenarios/races', name), () => console.log(`read ${name}`));
}
