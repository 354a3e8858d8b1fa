// In an immediate: a 0 ms timer, then a chain of immediates that print.
setImmediate(() => {
  setTimeout(() => console.log('timeout'), 0);
  setImmediate(() => {
    console.log('immediate 1');
    setImmediate(() => {
      console.log('immediate 2');
      setImmediate(() => console.log('immediate 3'));
    });
  });
});
