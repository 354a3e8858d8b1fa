// A thenable given to resolve() and returned from an async function: both call its then
// in a job of their own, so each then runs one turn later (the job, then the reaction)
// than after a plain value. Which of t1..t4 do they land between?
const t = {
  then(resolve) {
    console.log('t.then called');
    resolve('T');
  },
};
const p = new Promise((resolve) => resolve(t));
p.then((v) => console.log(`p: ${v}`));
async function f() {
  return t;
}
f().then((v) => console.log(`f: ${v}`));
Promise.resolve()
  .then(() => console.log('t1'))
  .then(() => console.log('t2'))
  .then(() => console.log('t3'))
  .then(() => console.log('t4'));
