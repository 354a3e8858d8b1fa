let n = 0;
setInterval(() => {
  n++;
}, 10);
