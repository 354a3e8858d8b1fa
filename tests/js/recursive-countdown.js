// A countdown where each tick schedules the next.
function tick(n) {
  if (n === 0) {
    console.log('done');
    return;
  }
  console.log(n);
  setTimeout(() => tick(n - 1), 100);
}
tick(3);
