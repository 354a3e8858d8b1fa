// A server and its client in one program: listen's callback is a nextTick queued by listen
// itself; the handler runs in a poll phase; close's callback is a nextTick queued by close.
const http = require('http');

const server = http.createServer((req, res) => {
  console.log('handler', req.url);
  process.nextTick(() => console.log('tick in handler'));
  Promise.resolve().then(() => console.log('promise in handler'));
  setImmediate(() => console.log('immediate in handler'));
  res.end('hi');
  console.log('after res.end');
});

server.listen(0, () => {
  console.log('listening');
  process.nextTick(() => console.log('tick in listen'));
  setImmediate(() => console.log('immediate in listen'));
  const port = server.address().port;
  http.get(`http://localhost:${port}/order`, (res) => {
    console.log('status', res.statusCode);
    res.resume();
    res.on('end', () => {
      console.log('end');
      server.close(() => console.log('closed'));
      process.nextTick(() => console.log('tick after close'));
    });
  });
});
console.log('main');
process.nextTick(() => console.log('tick in main'));
Promise.resolve().then(() => console.log('promise in main'));
