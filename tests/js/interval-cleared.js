// An interval runs until a timer clears it: at 30 and 60 ms, cleared at 75.
const iv = setInterval(() => console.log('every 30 ms'), 30);
setTimeout(() => {
  clearInterval(iv);
  console.log('cleared');
}, 75);
