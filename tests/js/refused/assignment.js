let count = 0;
setTimeout(() => {
  count = count + 1;
}, 10);
