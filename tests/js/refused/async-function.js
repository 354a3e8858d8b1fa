// async/await comes with the promise runtime (issue 21, item 1).
async function main() {
  console.log('in main');
}
main();
