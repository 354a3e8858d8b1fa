const total = 0;
setTimeout(() => {
  total++;
}, 10);
