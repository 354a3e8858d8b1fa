// A countdown shared by three timers set out of order: whichever runs last sees 0.
let left = 3;
const started = left;
function tick() {
  left -= 1;
  console.log(`${left} of ${started} left`);
  if (left === 0) console.log('liftoff');
}
setTimeout(tick, 30);
setTimeout(() => {
  console.log('b first');
  tick();
}, 10);
setTimeout(tick, 20);
