// A helper used from timers, reading and changing shared state.
let total = 0;
function add(n) {
  total += n;
  console.log(`add ${n} -> ${total}`);
}
function isDone() {
  return total >= 6;
}
for (let i = 1; i <= 3; i++) {
  setTimeout(() => {
    add(i);
    if (isDone()) {
      console.log('done');
    }
  }, i * 100);
}
