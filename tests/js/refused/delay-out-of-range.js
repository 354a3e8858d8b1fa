// Caught by the scenario parser, cited at the .js line.
setTimeout(() => console.log('far'), 3000000000);
