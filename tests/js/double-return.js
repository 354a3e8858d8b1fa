// A function that returns a value, used in an expression.
function double(n) {
  return n * 2;
}
const add = (a, b) => a + b;
const d = double(2);
console.log('double(2) =', d);
console.log('add(d, 3) =', add(d, 3));
console.log(`double(add(1, 2)) = ${double(add(1, 2))}`);
