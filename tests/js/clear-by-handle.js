const t = setTimeout(() => console.log('never printed'), 100);
const im = setImmediate(() => console.log('also never'));
setImmediate(() => {
  console.log('clearing');
  clearTimeout(t);
});
clearImmediate(im);
