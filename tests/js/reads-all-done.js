// A counter of completed reads: each callback counts itself, and the one that brings the
// count to the total prints "all done", whichever read finishes last.
const fs = require('fs');
const total = 3;
let done = 0;
for (let i = 0; i < total; i++) {
  fs.readFile('hello.txt', 'utf8', (err, text) => {
    done++;
    console.log(`read ${done} of ${total} finished`);
    if (done === total) console.log('all done');
  });
}
console.log('three reads started');
