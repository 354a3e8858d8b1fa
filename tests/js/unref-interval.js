// An unref'd interval still runs while something else keeps the loop alive: here a
// 500 ms timer. When it has run, only the unref'd interval is left, and Node exits.
let runs = 0;
const heartbeat = setInterval(() => {
  runs++;
  console.log(`heartbeat ${runs}`);
}, 200);
heartbeat.unref();
setTimeout(() => console.log(`work done after ${runs} heartbeats`), 500);
