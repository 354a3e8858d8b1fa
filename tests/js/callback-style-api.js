// A callback-style API written by hand, then wrapped in a promise.
function fetchData(id, callback) {
  setTimeout(() => callback(`data ${id}`), 100);
}
function fetchP(id) {
  return new Promise((resolve) => fetchData(id, resolve));
}
fetchData(1, (d) => console.log(`callback got ${d}`));
fetchP(2).then((d) => console.log(`promise got ${d}`));
console.log('requested');
