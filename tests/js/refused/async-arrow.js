setTimeout(async () => {
  console.log('later');
}, 10);
