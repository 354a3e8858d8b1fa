// An unref'd timer does not keep the process alive: once the other timer has run,
// nothing else is pending, and Node exits without running it. unref() returns the timer,
// so it can be kept in a const as it is made.
setTimeout(() => console.log('never printed'), 2000).unref();
const poll = setInterval(() => console.log('never printed either'), 3000).unref();
setTimeout(() => console.log('the ref\'d timer runs'), 10);
console.log('script done');
