// let in a for loop: each callback sees its own i.
for (let i = 0; i < 3; i++) {
  setTimeout(() => console.log(`timer ${i}`), i * 10);
}
console.log('loop done');
