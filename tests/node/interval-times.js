// expect: tick | tick | tick | done
let n = 0;
const iv = setInterval(() => { console.log('tick'); if (++n === 3) clearInterval(iv); }, 10);
setTimeout(() => console.log('done'), 1000);
