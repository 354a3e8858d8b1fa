for (const ch of 'abc') {
  console.log(ch);
}
