// try/catch around an await that rejects: when does the catch run, and does the function go on?
function failLater(ms) {
  return new Promise((resolve, reject) => setTimeout(() => reject(new Error('timed out')), ms));
}
async function main() {
  console.log('trying');
  try {
    await failLater(50);
  } catch (err) {
    console.log(`caught: ${err.message}`);
  }
  console.log('went on');
  return 'done';
}
main().then((v) => console.log(`main: ${v}`));
setTimeout(() => console.log('timer 10'), 10);
