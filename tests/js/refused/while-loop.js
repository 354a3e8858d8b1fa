while (true) {
  console.log('spin');
}
