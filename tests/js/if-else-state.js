// if/else over state: an interval alternates between two branches with a flag, and
// stops after five runs.
let on = false;
let runs = 0;
const blink = setInterval(() => {
  runs++;
  on = !on;
  if (on) {
    console.log(`run ${runs}: on`);
  } else if (runs % 4 === 0) {
    console.log(`run ${runs}: off (every fourth run says so)`);
  } else {
    console.log(`run ${runs}: off`);
  }
  if (runs >= 5 && !on || runs > 5) clearInterval(blink);
}, 5);
