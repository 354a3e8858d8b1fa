// In a read's callback: a 0 ms timer, then an immediate that queues another.
const fs = require('fs');
fs.readFile(__filename, () => {
  setTimeout(() => console.log('timeout'), 0);
  setImmediate(() => {
    console.log('immediate 1');
    setImmediate(() => console.log('immediate 2'));
  });
});
