Promise.all([Promise.resolve(1), Promise.resolve(2)]).then(() => console.log('all'));
