const timers = require('timers');
const { setImmediate: soon } = require('timers');
timers.setTimeout(() => console.log('from timers.setTimeout'), 100);
soon(() => console.log('from setImmediate, renamed'));
