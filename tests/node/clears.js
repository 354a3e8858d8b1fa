// expect: first
const t = setTimeout(() => console.log('never'), 10);
let im;
setImmediate(() => { console.log('first'); clearImmediate(im); clearTimeout(t); });
im = setImmediate(() => console.log('cleared'));
