// expect: immediate | timeout
require('fs').readFile(__dirname + '/../../scenarios/test.txt', () => {
  setTimeout(() => console.log('timeout'), 0);
  setImmediate(() => console.log('immediate'));
});
