// In an immediate, a 0 ms timer and a new immediate, asked four times, each from the last
// immediate (scenarios/node/timeout-vs-immediate-in-immediate.json, as export-js writes it).
setImmediate(() => {
  setTimeout(() => console.log('timeout 1'), 0);
  setImmediate(() => {
    console.log('immediate 1');
    setTimeout(() => console.log('timeout 2'), 0);
    setImmediate(() => {
      console.log('immediate 2');
      setTimeout(() => console.log('timeout 3'), 0);
      setImmediate(() => {
        console.log('immediate 3');
        setTimeout(() => console.log('timeout 4'), 0);
        setImmediate(() => console.log('immediate 4'));
      });
    });
  });
});
