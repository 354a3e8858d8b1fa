setTimeout(() => {
  console.log('unclosed';
}, 10);
