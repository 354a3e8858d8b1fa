// An unref'd timer does not keep the process alive: once the other timer has run,
// nothing else is pending, and Node exits without running it.
setTimeout(() => console.log('never printed'), 2000).unref();
setTimeout(() => console.log('the ref\'d timer runs'), 10);
console.log('script done');
