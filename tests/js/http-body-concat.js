// The way courses read a response: collect the chunks, print the body at 'end'.
const http = require('http');

const server = http.createServer((req, res) => {
  res.end(`you asked for ${req.url}`);
});

server.listen(0, () => {
  const port = server.address().port;
  http.get(`http://localhost:${port}/page`, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      body += chunk;
    });
    res.on('end', () => {
      console.log(`status ${res.statusCode}: ${body}`);
      server.close();
    });
  });
});
