// Two timers share one counter: a closure sees the variable, not a copy of it, so the
// second timer reads what the first one wrote.
let hits = 0;
function hit() {
  hits += 1;
  console.log(`hits is now ${hits}`);
}
setTimeout(hit, 10);
setTimeout(hit, 20);
setTimeout(() => console.log(`in the end: ${hits}`), 30);
