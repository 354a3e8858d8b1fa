// Summing in callbacks: the total is only right after the last one.
let total = 0;
function addLater(n, ms) {
  setTimeout(() => {
    total += n;
    console.log(`added ${n}, total ${total}`);
  }, ms);
}
addLater(5, 200);
addLater(10, 100);
addLater(1, 300);
console.log(`total now ${total}`);
