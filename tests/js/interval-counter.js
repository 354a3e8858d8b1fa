// A counter in an interval: the interval counts its runs and clears itself at the third.
// The callback reads and changes `count`, which lives outside it: every run sees the
// value the run before left.
let count = 0;
const iv = setInterval(() => {
  count++;
  console.log(`interval ${count}`);
  if (count === 3) {
    clearInterval(iv);
    console.log('cleared');
  }
}, 10);
