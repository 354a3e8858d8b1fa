// A default parameter is used when the argument is missing (or undefined).
function wait(label, ms = 20) {
  setTimeout(() => console.log(`${label} after ${ms} ms`), ms);
}
wait('default');
wait('given', 10);
wait('undefined takes the default', undefined);
