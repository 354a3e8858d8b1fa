// Top-level setTimeout(f, 0) against setImmediate(g): the classic race.
setTimeout(() => console.log('timeout'), 0);
setImmediate(() => console.log('immediate'));
