let count = 0;
setTimeout(() => {
  count++;
  if (count == 1) console.log('one');
}, 10);
