// await of a plain value still waits one microtask turn: which line comes first?
async function f() {
  console.log('f start');
  const v = await 42;
  console.log(`f got ${v}`);
}
async function g() {
  console.log('g start');
  await Promise.resolve();
  console.log('g after');
}
f();
g();
queueMicrotask(() => console.log('microtask'));
console.log('main');
