// Functions with arguments: literals, variables and expressions as arguments.
function greet(name) {
  console.log(`hi ${name}`);
}
const who = 'Ada';
greet('world');
greet(who);
greet('Mr. ' + who);
setTimeout(() => greet('later'), 10);
