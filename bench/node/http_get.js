// Node: N HTTP GETs to a loopback server, all issued at once, through an agent that keeps
// at most K sockets (so K requests in flight; the agent queues the rest).
//
//   node bench/node/http_get.js URL [N=10000] [K=1000]
//
// The server (bench-http-server) answers `Connection: close`, so every request is a new
// connection, as for the libuv client and eventloop-trace.
// Prints: requests, ok, failed, wall_s, req_per_s.
'use strict';
const http = require('http');

const url = process.argv[2];
const n = Number(process.argv[3] ?? 10000);
const k = Number(process.argv[4] ?? 1000);
if (!url) {
  console.error('usage: node http_get.js URL [N] [K]');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: false, maxSockets: k });
let ok = 0;
let failed = 0;
let firstError = null;
const start = process.hrtime.bigint();

function done() {
  if (ok + failed < n) return;
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`requests=${n} ok=${ok} failed=${failed} wall_s=${wall.toFixed(6)} req_per_s=${(ok / wall).toFixed(0)}`);
  if (firstError) console.error(`first failure: ${firstError}`);
  if (failed > 0) process.exitCode = 1;
}

for (let i = 0; i < n; i++) {
  http.get(url, { agent }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode === 200) ok++; else failed++;
      done();
    });
  }).on('error', (e) => {
    failed++;
    firstError ??= e.message;
    done();
  });
}
if (n === 0) done();
