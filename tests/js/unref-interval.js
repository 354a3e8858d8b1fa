// An unref'd interval still runs while something else keeps the loop alive: here a
// 250 ms timer. When it has run, only the unref'd interval is left, and Node exits.
let runs = 0;
const heartbeat = setInterval(() => {
  runs++;
  console.log(`heartbeat ${runs}`);
}, 100);
heartbeat.unref();
setTimeout(() => console.log(`work done after ${runs} heartbeats`), 250);
