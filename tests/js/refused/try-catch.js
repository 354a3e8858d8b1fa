try {
  console.log('risky');
} catch (e) {
  console.log('caught');
}
