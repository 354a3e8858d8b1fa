// expect: encrypted | failed
// One pool thread, busy with pbkdf2: the lookup of "localhost" (uv_getaddrinfo) queues
// behind it, so the request fails (port 1 is closed) only after the encrypt's callback.
// env: UV_THREADPOOL_SIZE=1
const crypto = require('crypto');
crypto.pbkdf2('x', 'y', 300000, 32, 'sha256', () => console.log('encrypted'));
require('http').get('http://localhost:1/', () => console.log('response')).on('error', () => console.log('failed'));
