// An interval that counts down and stops itself.
let n = 3;
const id = setInterval(() => {
  console.log(n);
  n--;
  if (n === 0) {
    clearInterval(id);
    console.log('liftoff');
  }
}, 100);
