// expect: a1 | b2 | c1
setTimeout(() => { console.log('a1'); setTimeout(() => console.log('c1'), 1); }, 1);
setTimeout(() => console.log('b2'), 2);
