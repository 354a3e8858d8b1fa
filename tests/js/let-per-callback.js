// A let inside a callback is that run's own; a let outside is shared by every run.
let shared = 0;
for (let i = 0; i < 3; i++) {
  setTimeout(() => {
    let mine = 0;
    mine++;
    shared++;
    console.log(`timer ${i}: mine ${mine}, shared ${shared}`);
  }, 10);
}
