// An argument no parameter takes (JavaScript keeps it in `arguments`).
function greet(name) {
  console.log(`hi ${name}`);
}
greet('Ada', 'Lovelace');
