// Inside an I/O callback: nextTick, promise, immediate, then timeout.
const fs = require('fs');
fs.readFile(__filename, () => {
  console.log('read done');
  setTimeout(() => console.log('timeout'), 0);
  setImmediate(() => {
    console.log('immediate');
    process.nextTick(() => console.log('tick in immediate'));
  });
  Promise.resolve().then(() => console.log('promise'));
  process.nextTick(() => console.log('tick'));
});
