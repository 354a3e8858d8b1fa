// Blocking the main thread delays every callback: the 10 ms timer runs after the wait.
setTimeout(() => console.log('timer'), 10);
const end = Date.now() + 50;
while (Date.now() < end) {}
console.log('done waiting');
