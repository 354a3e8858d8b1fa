// When do http.get's response, 'data' and 'end' run, against nextTicks, promises and
// immediates queued around them? The response callback runs in the poll phase; 'data' comes
// from the nextTick that res.on('data') queued, and 'end' from one queued as the body is read.
const http = require('http');

const server = http.createServer((req, res) => {
  console.log('request', req.method, req.url);
  res.end('ok');
});

server.listen(0, () => {
  const port = server.address().port;
  http.get(`http://localhost:${port}/hello`, (res) => {
    console.log('response', res.statusCode);
    process.nextTick(() => console.log('tick before on(data)'));
    Promise.resolve().then(() => console.log('promise in response'));
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      console.log('data', chunk);
      process.nextTick(() => console.log('tick in data'));
      Promise.resolve().then(() => console.log('promise in data'));
    });
    process.nextTick(() => console.log('tick after on(data)'));
    res.on('end', () => {
      console.log('end');
      process.nextTick(() => console.log('tick in end'));
      setImmediate(() => console.log('immediate in end'));
      server.close(() => console.log('closed'));
    });
    setImmediate(() => console.log('immediate in response'));
  });
});
