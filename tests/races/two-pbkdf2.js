// Two pbkdf2 jobs of the same cost, started back to back: two pool threads run them at
// once, and which finishes first is up to the CPUs.
const crypto = require('crypto');
for (const n of [1, 2]) {
  crypto.pbkdf2(`secret ${n}`, 'salt', 20000, 32, 'sha256', () => console.log(`hash ${n}`));
}
