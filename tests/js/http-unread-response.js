// A response nobody reads never ends: 'end' needs res.resume() or a 'data' listener.
// The first request reads nothing; the second resumes. Only the second prints 'end'.
const http = require('http');

const server = http.createServer((req, res) => {
  res.end('body');
});

server.listen(0, () => {
  const port = server.address().port;
  http.get(`http://localhost:${port}/unread`, (res) => {
    console.log('unread response', res.statusCode);
    res.on('end', () => console.log('end of the unread one'));
    http.get(`http://localhost:${port}/resumed`, (res2) => {
      console.log('resumed response', res2.statusCode);
      res2.on('end', () => {
        console.log('end of the resumed one');
        server.close(() => console.log('closed'));
      });
      res2.resume();
    });
  });
});
