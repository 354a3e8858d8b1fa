// A throttle: at most one call per 300 ms window goes through.
let waiting = false;
function throttled(n) {
  if (waiting) {
    console.log(`dropped ${n}`);
    return;
  }
  console.log(`run ${n}`);
  waiting = true;
  setTimeout(() => {
    waiting = false;
  }, 300);
}
for (let i = 0; i < 6; i++) {
  setTimeout(() => throttled(i), i * 200);
}
