// A debounce: only the last call in a burst runs, 50 ms after it.
let timer = null;
function debounced(text) {
  clearTimeout(timer);
  timer = setTimeout(() => console.log(`search: ${text}`), 50);
}
debounced('h');
setTimeout(() => debounced('he'), 10);
setTimeout(() => debounced('hel'), 20);
setTimeout(() => debounced('hello'), 200);
