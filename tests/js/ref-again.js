// ref() undoes unref(): the timer keeps the loop alive again and runs. The other timer
// stays unref'd, and Node exits before its time comes.
const t = setTimeout(() => console.log('ran: ref() undid unref()'), 20);
t.unref();
t.ref();
const u = setTimeout(() => console.log('never printed'), 2000);
u.unref();
setImmediate(() => console.log('immediate'));
