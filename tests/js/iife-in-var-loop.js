// The pre-let fix for the var loop: an IIFE gives each callback its own copy.
for (var i = 0; i < 3; i++) {
  (function (j) {
    setTimeout(() => console.log('iife', j), 0);
  })(i);
}
