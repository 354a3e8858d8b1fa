// The race mark (issue 22) in a real browser: where timing, not the program, decided which
// callback runs first (an event of kind "race"), the page marks the trace line and the
// timeline, and says the race's sentence under the mouse and at the cursor. A run with no
// race has no mark at all.
//
//   node race_test.js ELT_BIN SCENARIOS_DIR [--screenshots DIR]   (DIR: docs/img rewrites its picture)
//
// Racy: scenarios/races/timeout-vs-immediate.json under the node model (a 1 ms timer
// against an immediate, settled by how long the main program took), and
// scenarios/races/two-pbkdf2.json (which of two pool tasks finishes first, and whether the
// pool starts late: two races, the pool order's checked). Deterministic: the book's
// scenario under the book's model, and a program with one order under the node model.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { launch, open } = require("./browser.js");

const [elt, scenarios] = process.argv.slice(2, 4);
const shotsAt = process.argv.indexOf("--screenshots");
const shots = shotsAt > 0 ? process.argv[shotsAt + 1] : null;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "elt-race-"));
let failures = 0, passes = 0;
function check(ok, what, detail) {
  if (ok) { passes++; console.log(`ok   ${what}`); } else { failures++; console.log(`FAIL ${what}${detail ? ": " + detail : ""}`); }
}
const run = (args) => execFileSync(elt, args, { encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "pipe"] });

// The page and the jsonl of one run; the race events' sentences from the jsonl.
function pageOf(scenario, model, name) {
  const html = path.join(work, name + ".html");
  run(["html", "--model", model, "--clock", "virtual", scenario, "-o", html]);
  const jsonl = run(["--model", model, "--clock", "virtual", "--format", "jsonl", scenario]).trim().split("\n").map((l) => JSON.parse(l));
  const races = jsonl.filter((e) => e.kind === "race");
  return { html, races: races.map((e) => e.message.replace(/^~ race: /, "")), kinds: races.map((e) => e.race), name };
}

// Whether the canvas has the race's orange (#ea580c) within a few pixels of (x, y).
async function orangeNear(page, x, y) {
  return page.evaluate((x, y) => {
    const c = document.getElementById("canvas"), dpr = window.devicePixelRatio || 1;
    const d = c.getContext("2d").getImageData(Math.round((x - 3) * dpr), Math.round((y - 3) * dpr), 7 * dpr, 7 * dpr).data;
    for (let k = 0; k < d.length; k += 4) if (Math.abs(d[k] - 234) < 12 && Math.abs(d[k + 1] - 88) < 12 && d[k + 2] < 40) return true;
    return false;
  }, x, y);
}

// `kind`: the race (jsonl's "race") whose sentence the checks look for; `n`: how many.
async function racy(browser, exp, kind, n) {
  const { page, problems } = await open(browser, exp.html);
  const label = exp.name;
  const pick = exp.kinds.indexOf(kind);
  check(exp.races.length === n && pick >= 0, `${label}: the jsonl has ${n} race(s), one of ${kind} (${exp.kinds})`);
  const sentence = exp.races[Math.max(pick, 0)];
  check(await page.evaluate(() => document.body.dataset.races) === String(n), `${label}: the page counts ${n} race(s)`);
  const legend = await page.$eval("#race-next", (e) => e.textContent).catch(() => "");
  check(new RegExp(`${n} races?`).test(legend), `${label}: the legend says the run has ${n} race(s)`, legend);

  // The timeline: an orange mark where the race is, which explains itself under the mouse.
  await page.keyboard.press("End");
  await new Promise((r) => setTimeout(r, 100));
  const marks = await page.evaluate(() => (window.eltPage.raceMarks || (() => []))());
  check(marks.length === n, `${label}: ${n} race mark(s) on the timeline (${marks.length})`);
  const mark = marks[Math.max(pick, 0)];
  if (mark) {
    check(await orangeNear(page, mark.x, mark.y), `${label}: the mark is drawn (orange pixels where it is)`);
    const box = await page.$eval("#canvas", (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top }; });
    await page.mouse.move(box.x + mark.x, box.y + mark.y);
    await page.waitForSelector("#tip", { visible: true, timeout: 3000 }).catch(() => {});
    const tip = await page.$eval("#tip", (e) => e.innerText);
    check(/race: timing decides/.test(tip) && tip.includes(sentence), `${label}: hovering the mark shows the race's sentence`, tip);
    await page.mouse.move(5, 5);
  }

  // The trace: the race's line is marked, and says the sentence under the mouse.
  const line = await page.$$eval("#trace .tl.race", (ls) => ls.map((l) => ({ text: l.textContent, mark: (l.querySelector(".race-mark") || {}).textContent })));
  check(line.length === n && line.every((l) => l.mark === "timing decides") && line[Math.max(pick, 0)].text.includes(sentence),
        `${label}: the race's line in the trace carries the mark`, JSON.stringify(line));
  const at = await page.$$eval("#trace .tl.race", (ls, i) => { const r = ls[i].getBoundingClientRect(); return { x: r.left + 60, y: r.top + r.height / 2 }; }, Math.max(pick, 0));
  await page.mouse.move(at.x, at.y);
  const tip = await page.$eval("#tip", (e) => (getComputedStyle(e).display === "none" ? "" : e.innerText));
  check(tip.includes(sentence), `${label}: hovering the race's line shows its sentence`, tip);
  // Clicking the line steps there, and the state panel says timing decides here.
  await page.mouse.click(at.x, at.y);
  const state = await page.$eval("#state-race", (e) => e.innerText).catch(() => "");
  check(/Timing decides here/.test(state) && state.includes(sentence), `${label}: at the race's step, the state panel says it`, state);

  // The legend's button steps to the race from anywhere.
  await page.keyboard.press("Home");
  await page.click("#race-next");
  const current = await page.$eval("#trace .tl.current", (e) => e.className).catch(() => "");
  check(/\brace\b/.test(current), `${label}: the legend's button steps to the race's line`, current);
  if (shots && kind === "timer_at_loop_start") {  // the picture in docs/visualising.md, "Races on the page"
    fs.mkdirSync(shots, { recursive: true });
    await page.mouse.move(at.x, at.y);
    await new Promise((r) => setTimeout(r, 100));
    await page.screenshot({ path: path.join(shots, "race-timing-decides.png") });
    console.log(`wrote ${path.join(shots, "race-timing-decides.png")}`);
  }
  check(problems.length === 0, `${label}: no console errors`, problems.join("; "));
  await page.close();
}

async function deterministic(browser, exp, label) {
  const { page, problems } = await open(browser, exp.html);
  check(exp.races.length === 0, `${label}: the jsonl has no race`);
  await page.keyboard.press("End");
  await new Promise((r) => setTimeout(r, 100));
  const found = await page.evaluate(() => ({
    count: document.body.dataset.races, button: !!document.getElementById("race-next"),
    marks: (window.eltPage.raceMarks || (() => []))().length, lines: document.querySelectorAll("#trace .race, #trace .race-mark").length,
  }));
  check(found.count === "0" && !found.button && found.marks === 0 && found.lines === 0, `${label}: no race mark anywhere`,
        JSON.stringify(found));
  check(problems.length === 0, `${label}: no console errors`, problems.join("; "));
  await page.close();
}

(async () => {
  const { browser, close } = await launch();
  try {
    await racy(browser, pageOf(path.join(scenarios, "races", "timeout-vs-immediate.json"), "node", "racy"), "timer_at_loop_start", 1);
    await racy(browser, pageOf(path.join(scenarios, "races", "two-pbkdf2.json"), "node", "pool-order"), "pool_order", 2);
    await deterministic(browser, pageOf(path.join(scenarios, "book.json"), "book", "book-book"), "book (book model)");
    // One order under Node's loop (explore): its decisions' other sides print the same.
    await deterministic(browser, pageOf(path.join(scenarios, "races", "first-print-cost.json"), "node", "one-order"),
                        "first-print-cost (node model)");
  } finally {
    await close();
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`${passes} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
