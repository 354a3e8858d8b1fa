// expect: f | g
setTimeout(() => console.log('f'), 1);
setTimeout(() => console.log('g'), 0);
