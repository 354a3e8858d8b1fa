// An argument is its value at the call: changing the variable afterwards does not change
// what the callback scheduled with it prints, while the variable itself is shared.
let n = 1;
function show(label, value) {
  setTimeout(() => console.log(`${label}: ${value}, n is now ${n}`), 10);
}
show('first', n);
n = n + 1;
show('second', n * 10);
n++;
console.log(`n at the end of the script: ${n}`);
