// Work on the thread pool does not block the loop: the timer fires while pbkdf2 runs.
const crypto = require('crypto');
crypto.pbkdf2('secret', 'salt', 140000, 64, 'sha256', (err, key) => {
  console.log('hash done');
});
setTimeout(() => console.log('timer at 10 ms'), 10);
