// Three reads of one file, an immediate queued in each read's callback.
const fs = require('fs');
const file = require('path').join(__dirname, '../../scenarios/races/test.txt');
for (const n of [1, 2, 3]) {
  fs.readFile(file, () => {
    console.log(`read ${n}`);
    setImmediate(() => console.log(`immediate ${n}`));
  });
}
