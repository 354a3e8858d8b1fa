// An interval runs until a timer clears it: at 100 and 200 ms, cleared at 250 (wide
// margins: on a busy machine Node's interval drifts, as it re-arms from when it ran).
const iv = setInterval(() => console.log('every 100 ms'), 100);
setTimeout(() => {
  clearInterval(iv);
  console.log('cleared');
}, 250);
