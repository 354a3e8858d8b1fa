// A function declared inside another, passed as an argument.
function run(task) {
  task();
}
setTimeout(() => {
  const inner = () => console.log('inner');
  run(inner);
}, 10);
