const http = require('http');
http.get('http://localhost:1/', (res) => {
  res.pipe(process.stdout);
});
