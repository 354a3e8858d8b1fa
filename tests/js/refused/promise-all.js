// Plain values in Promise.all: only promises are supported as its elements for now.
Promise.all([1, 2]).then(() => console.log('all'));
