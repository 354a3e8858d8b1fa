// A recursion whose end depends on a variable the program changes: how deep it goes is
// known only when it runs.
let left = 3;
function tick(label) {
  left--;
  if (left > 0) {
    setTimeout(() => tick(label), 100);
  }
}
tick('t');
