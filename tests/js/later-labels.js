// Each call's parameters are its own: closures capture them.
function later(label, ms) {
  setTimeout(() => console.log(label), ms);
}
later('c', 30);
later('a', 10);
later('b', 20);
console.log('scheduled');
