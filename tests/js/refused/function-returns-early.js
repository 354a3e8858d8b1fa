// A function that returns a value early: which return runs is known only when it runs.
function sign(n) {
  if (n < 0) {
    return 'negative';
  }
  return 'positive';
}
console.log(sign(-1));
