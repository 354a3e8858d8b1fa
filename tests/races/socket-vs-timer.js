// An HTTP GET to a server in this same program, against a 25 ms timer: about the exchange's time
// on this machine under load (an idle one answers in under 10 ms).
const http = require('http');
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
    res.resume();
    res.on('end', () => {
      console.log('response');
      server.close();
    });
  });
  setTimeout(() => console.log('timeout'), 25);
});
