const name = 'Ada';
const delay = 15;
setTimeout(() => console.log(`hello ${name} after ` + delay + ' ms'), delay);
console.log('scheduled', 2 + 3, 'things');
