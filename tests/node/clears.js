// expect: first
const t = setTimeout(() => console.log('never'), 1000);
let im;
setImmediate(() => { console.log('first'); clearImmediate(im); clearTimeout(t); });
im = setImmediate(() => console.log('cleared'));
