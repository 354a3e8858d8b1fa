// The html page in a real browser (Debian's chromium, headless, network off), used as a
// person would: keys and buttons, the mouse over a box, the text on the screen.
//
//   node page_test.js ELT_BIN BOOK_SCENARIO LARGE_SCENARIO [--screenshots DIR]
//
// For the book's run and for a run of more than 10,000 events:
//   - the page loads from disk with no request for anything else, and no console error;
//   - one lane per thread and one box per callback and per pool task, as in the jsonl of the
//     same run; the trace at the end is the text of the same run, line for line;
//   - stepping forward N and back N (events, phases, ticks; keys and buttons) shows the same
//     state, position and highlighted line as before;
//   - the state at a known point says what the loop holds there;
//   - hovering a callback box shows its registration and what it printed;
//   - the large page loads and steps without freezing (time limits below).
// With --screenshots, pictures of the book's page at a few steps go to DIR.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { launch, open } = require("./browser.js");

const [elt, book, large] = process.argv.slice(2, 5);
const shotsAt = process.argv.indexOf("--screenshots");
const shots = shotsAt > 0 ? process.argv[shotsAt + 1] : null;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "elt-page-"));
let failures = 0, passes = 0;
function check(ok, what, detail) {
  if (ok) { passes++; console.log(`ok   ${what}`); } else { failures++; console.log(`FAIL ${what}${detail ? ": " + detail : ""}`); }
}

function run(args) { return execFileSync(elt, args, { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] }); }

function expectations(scenario, name) {
  const html = path.join(work, name + ".html");
  run(["html", "--clock", "virtual", scenario, "-o", html]);
  const jsonl = run(["--clock", "virtual", "--format", "jsonl", scenario]).trim().split("\n").map((l) => JSON.parse(l));
  const text = run(["--clock", "virtual", "--color", "never", scenario]);
  return {
    html,
    threads: [...new Set(jsonl.map((e) => e.thread))].sort(),
    callbacks: jsonl.filter((e) => e.kind === "callback_start").length,
    tasks: jsonl.filter((e) => e.kind === "task_received" && e.id).length,
    events: jsonl.length,
    textLines: text.replace(/\n$/, "").split("\n"),
  };
}

// What a person sees of the stepper's result: the position, the state panel, the line
// highlighted in the trace.
async function seen(page) {
  return page.evaluate(() => [
    document.getElementById("position").textContent,
    document.getElementById("state").innerText,
    (document.querySelector("#trace .tl.current") || { textContent: "" }).textContent,
    document.getElementById("trace-count").textContent,
  ].join("\n--\n"));
}

async function press(page, key, times, modifier) {
  for (let k = 0; k < times; k++) {
    if (modifier) await page.keyboard.down(modifier);
    await page.keyboard.press(key);
    if (modifier) await page.keyboard.up(modifier);
  }
}

async function basics(page, problems, requests, exp, label) {
  check(problems.length === 0, `${label}: no console errors`, problems.slice(0, 3).join("; "));
  check(requests.length === 0, `${label}: no request leaves the page`, requests.slice(0, 3).join(", "));
  const lanes = await page.$$eval(".lane-label.lane", (els) => els.map((e) => e.textContent));
  check(JSON.stringify([...lanes].sort()) === JSON.stringify(exp.threads), `${label}: one lane per thread (${lanes.length})`,
        `${lanes} vs ${exp.threads}`);
  const counts = await page.evaluate(() => window.eltPage.summary());
  check(counts.callbacks === exp.callbacks, `${label}: one box per callback (${counts.callbacks})`, `jsonl has ${exp.callbacks}`);
  check(counts.tasks === exp.tasks, `${label}: one box per pool task (${counts.tasks})`, `jsonl has ${exp.tasks}`);
  check(counts.events === exp.events, `${label}: every event of the jsonl (${counts.events})`, `jsonl has ${exp.events}`);
}

// n: how many steps of each kind; ticks: how many ticks (fewer than the run has, so that
// the steps forward are not cut short by the end of the run).
async function roundTrips(page, label, n, ticks) {
  await page.keyboard.press("Home");
  const start = await seen(page);
  for (const [fwd, back, mod, what] of [["ArrowRight", "ArrowLeft", null, "events"], ["ArrowRight", "ArrowLeft", "Shift", "phases"],
                                        ["PageDown", "PageUp", null, "ticks"], ["ArrowDown", "ArrowUp", null, "phases (arrow keys)"]]) {
    const count = what === "ticks" ? ticks : n;
    await press(page, fwd, count, mod);
    const there = await seen(page);
    await press(page, fwd, 3, mod);
    await press(page, back, 3, mod);
    const again = await seen(page);
    await press(page, back, count, mod);
    const home = await seen(page);
    check(there !== start, `${label}: ${count} ${what} forward moves`);
    check(again === there, `${label}: 3 ${what} forward and 3 back, same state`, `${there}\n<>\n${again}`);
    check(home === start, `${label}: ${count} ${what} forward and ${count} back, back at the start`);
  }
  // The buttons do what the keys do.
  await press(page, "ArrowRight", 7);
  const byKeys = await seen(page);
  await page.keyboard.press("Home");
  for (let k = 0; k < 7; k++) await page.click("#event-fwd");
  check(await seen(page) === byKeys, `${label}: 7 clicks on "event" = 7 presses of the right arrow`);
  for (let k = 0; k < 7; k++) await page.click("#event-back");
  check(await seen(page) === start, `${label}: 7 clicks back, at the start`);
  for (const id of ["#phase-fwd", "#tick-fwd"]) {
    await page.click(id);
    const one = await seen(page);
    await page.click(id.replace("fwd", "back"));
    check(await seen(page) === start && one !== start, `${label}: ${id} and back`);
  }
}

// Issue 23, item 10: what a teacher and a learner complained about, checked as they would.
async function issue23Page(browser, page, exp) {
  const text = (sel) => page.$eval(sel, (e) => e.innerText);
  // Before a tick the loop is in no phase: the header says "before tick 1", not the phase.
  await page.keyboard.press("Home");
  await page.keyboard.press("PageDown");
  const header = await text("#position");
  check(/before tick 1/.test(header) && !/timers|pending|poll/.test(header), "book: the header before tick 1 names no phase", header);
  // "Pending 7" lists the seven registrations.
  const state = await text("#state");
  const pending = (/Pending\s+7\n([\s\S]*?)\nregistrations that keep/.exec(state) || [0, ""])[1];
  check(pending.split("\n").length === 7 && /id 1 File read/.test(pending) && /id 2 timer/.test(pending) &&
        /id 7 HTTP request/.test(pending) && /id 4 File read/.test(pending),
        "book: before tick 1, Pending 7 lists the two reads, four timers and the request", pending);
  await page.keyboard.press("PageDown");  // tick 2: the reads' callbacks have run, one timer is left of tick 1's
  const later = await text("#state");
  const pendingLater = (/Pending\s+(\d+)\n([\s\S]*?)\nregistrations that keep/.exec(later) || [0, -1, ""]);
  check(pendingLater[2].split("\n").length === Number(pendingLater[1]) && !/id 2 timer/.test(pendingLater[2]),
        "book: before tick 2, the pending list has as many rows as its count, timer 2 gone", pendingLater[0]);

  // Phase and tick labels at the default width: each whole (or a tick's number), never a stub.
  await page.keyboard.press("Home");
  const labels = await page.evaluate(() => window.eltPage.bandLabels());
  const phases = ["script", "timers", "pending", "idle_prepare", "poll", "check", "closing", "shutdown"];
  const stubs = labels.filter((t) => !phases.includes(t) && !/^(tick )?\d+$/.test(t));
  check(labels.length > 10 && stubs.length === 0, `book: ${labels.length} band labels at the default width, none cut short`,
        stubs.join(", "));
  const legend = await text("#phase-legend");
  check(phases.slice(0, 7).every((p) => legend.includes(p)), "book: the legend names every phase of the run", legend);

  // The axis says it is stretched, and the linear one puts x in proportion to time.
  const note = await text("#axis-note");
  check(/stretched/.test(note), "book: the axis says it is stretched", note);
  const proportion = async () => {
    await page.keyboard.press("Home");
    await page.keyboard.press("PageDown");  // before tick 1, 0 ms
    const a = await page.evaluate(() => [window.eltPage.cursorX(window.eltPage.cursor()), window.eltPage.timeMs()]);
    await page.keyboard.press("PageDown");  // before tick 2, 1000 ms
    const b = await page.evaluate(() => [window.eltPage.cursorX(window.eltPage.cursor()), window.eltPage.timeMs()]);
    await page.keyboard.press("End");
    const c = await page.evaluate(() => [window.eltPage.cursorX(window.eltPage.cursor()), window.eltPage.timeMs()]);
    return { px: (b[0] - a[0]) / (c[0] - a[0]), time: (b[1] - a[1]) / (c[1] - a[1]) };
  };
  const stretched = await proportion();
  await page.click("#axis-linear");
  const lin = await proportion();
  const linNote = await text("#axis-note");
  check(Math.abs(lin.px - lin.time) < 0.01 && /linear/.test(linNote),
        `book: the linear axis puts the 1000 ms mark at ${lin.px.toFixed(3)} of the run (time: ${lin.time.toFixed(3)})`, linNote);
  check(Math.abs(stretched.px - stretched.time) > 0.02, `book: the stretched axis does not (${stretched.px.toFixed(3)})`);
  await page.click("#axis-stretched");

  // encrypt is CPU work: its task is drawn as work, and says so.
  await page.keyboard.press("Home");
  await press(page, "PageDown", 2);
  const b = await page.evaluate(() => window.eltPage.boxCentre("task", 8));
  await page.mouse.move(b.x, b.y);
  await page.waitForSelector("#tip", { visible: true, timeout: 3000 });
  const tip = await text("#tip");
  check(/CPU work 400 ms/.test(tip) && !/simulated latency/.test(tip), "book: encrypt's task is 400 ms of CPU work", tip);
  await page.mouse.move(5, 5);

  // A link to a point: #step=40 and #tick=4 open the page there; the address follows the stepper.
  for (const [hash, want] of [["#step=40", /^step 40\/\d+/], ["#tick=4", /before tick 4/], ["#line=20", /tick 1 · poll/]]) {
    const o = await open(browser, exp.html + hash);
    const pos = await o.page.$eval("#position", (e) => e.textContent);
    check(want.test(pos) && o.problems.length === 0, `book: opening ${hash} shows ${want}`, pos);
    if (hash === "#line=20") {
      const line = await o.page.$eval("#trace .tl.current", (e) => e.textContent);
      check(/^\s*20\D/.test(line), "book: #line=20 highlights line 20", line);
    }
    await o.page.close();
  }
  await page.keyboard.press("Home");
  await press(page, "ArrowRight", 9);
  const here = await seen(page);
  const url = await page.evaluate(() => location.href);
  const o = await open(browser, url.replace(/^file:\/\//, ""));
  check(/#step=\d+$/.test(url) && await seen(o.page) === here, "book: the address after 9 steps opens at the same point", url);
  await o.page.close();
}

(async () => {
  const { browser, close } = await launch();
  try {
    // ---- the book ----
    const exp = expectations(book, "book");
    const { page, problems, requests } = await open(browser, exp.html);
    await basics(page, problems, requests, exp, "book");
    await roundTrips(page, "book", 12, 4);

    // The whole run: the trace so far is the text of the same run.
    await page.keyboard.press("End");
    const count = await page.$eval("#trace-count", (e) => e.textContent);
    check(count === `${exp.textLines.length} of ${exp.textLines.length} lines`, `book: at the end, all ${exp.textLines.length} lines`, count);
    const current = await page.$eval("#trace .tl.current", (e) => e.textContent.replace(/^\s*\d+/, ""));
    check(current.replace(/ +/g, " ") === exp.textLines[exp.textLines.length - 1].replace(/\t/g, " ").replace(/ +/g, " "),
          "book: the last line highlighted is the run's last line", current);
    const allLines = await page.evaluate(async () => {
      const trace = document.getElementById("trace");
      const out = new Map();
      for (let y = 0; y <= trace.scrollHeight; y += trace.clientHeight / 2) {
        trace.scrollTop = y;
        trace.dispatchEvent(new Event("scroll"));
        for (const d of document.querySelectorAll("#trace .tl")) {
          const m = /^\s*(\d+)(.*)$/s.exec(d.textContent);
          out.set(Number(m[1]), m[2]);
        }
      }
      return [...out.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    });
    const norm = (s) => s.replace(/\t/g, " ").replace(/ +/g, " ").trim();
    check(JSON.stringify(allLines.map(norm)) === JSON.stringify(exp.textLines.map(norm)),
          "book: the page's trace is the text trace of the same run", `${allLines.length} lines`);

    // A known point: before tick 1 the program has run, nothing has fired yet.
    await page.keyboard.press("Home");
    await page.keyboard.press("PageDown");
    const state = await page.$eval("#state", (e) => e.innerText);
    const pos = await page.$eval("#state-position", (e) => e.textContent);
    check(pos.startsWith("before tick 1"), "book: PageDown from the start stops before tick 1", pos);
    check(/Timers\s+4/.test(state) && /id 2 due/.test(state) && /id 6 due in 1000\.000 ms/.test(state),
          "book: before tick 1, four timers, id 6 due in 1000 ms", state);
    check(/pool3: task 1 \(File read\)/.test(state) && /pool2: task 4 \(File read\)/.test(state),
          "book: before tick 1, pool3 and pool2 read the file", state);
    check(/request 7/.test(state) && /Pending\s+7/.test(state), "book: before tick 1, request 7 with epoll, 7 pending", state);
    // ... and into tick 1's pending phase: the first callback runs.
    await press(page, "ArrowDown", 1);
    await press(page, "ArrowRight", 1);
    const running = await page.$eval("#state", (e) => e.innerText);
    check(/callback 2: prints .Immediate1 timed out./.test(running), "book: stepping into tick 1 runs callback 2", running);

    // Hover a callback box: the tooltip names the registration and what it printed.
    const box = await page.evaluate(() => window.eltPage.boxCentre("callback", 6));
    await page.mouse.move(box.x, box.y);
    await page.waitForSelector("#tip", { visible: true, timeout: 3000 });
    const tip = await page.$eval("#tip", (e) => e.innerText);
    check(/Timer 6 callback/.test(tip) && /Registered timer event id: 6/.test(tip) && /SETTIMEOUT/.test(tip),
          "book: hovering callback 6 shows its registration and its printed line", tip);
    // Clicking it moves the stepper there.
    await page.mouse.click(box.x, box.y);
    const after = await page.$eval("#state", (e) => e.innerText);
    check(/callback 6/.test(after), "book: clicking callback 6 steps to it", after.slice(0, 200));

    await issue23Page(browser, page, exp);

    if (shots) {
      fs.mkdirSync(shots, { recursive: true });
      await page.mouse.move(5, 5);
      const shoot = async (name, keys) => {
        await page.evaluate(() => document.activeElement && document.activeElement.blur());  // no focus ring in the picture
        await page.keyboard.press("Home");
        for (const [key, n, mod] of keys) await press(page, key, n, mod);
        await new Promise((r) => setTimeout(r, 150));
        await page.screenshot({ path: path.join(shots, name) });
        console.log(`wrote ${path.join(shots, name)}`);
      };
      await shoot("book-1-before-tick-1.png", [["PageDown", 1]]);
      await shoot("book-2-tick-2-second-read.png", [["PageDown", 2], ["ArrowDown", 3], ["ArrowRight", 3]]);
      await shoot("book-3-tick-4-third-read.png", [["PageDown", 4], ["ArrowDown", 3], ["ArrowRight", 2]]);
      await shoot("book-4-end.png", [["End", 1]]);
      await page.keyboard.press("Home");
      await press(page, "PageDown", 2);
      const b = await page.evaluate(() => window.eltPage.boxCentre("task", 8));
      await page.mouse.move(b.x, b.y);
      await new Promise((r) => setTimeout(r, 150));
      await page.screenshot({ path: path.join(shots, "book-5-hover-encrypt.png") });
      console.log(`wrote ${path.join(shots, "book-5-hover-encrypt.png")}`);
      await page.mouse.move(5, 5);
      await page.click("#axis-linear");
      await shoot("book-6-linear-axis.png", [["PageDown", 4], ["ArrowDown", 3], ["ArrowRight", 2]]);
      await page.click("#axis-stretched");
    }
    await page.close();

    // ---- the node model's queues, derived between pause points and shown as the runtime names them ----
    {
      const nodeRun = expectations(path.join(__dirname, "node-queues.json"), "node-queues");
      const o = await open(browser, nodeRun.html);
      await basics(o.page, o.problems, o.requests, nodeRun, "node");
      const section = (state, name) => {
        const m = new RegExp(`(?:^|\\n)${name}\\n(\\d+)\\n`).exec(state);
        return m ? Number(m[1]) : -1;
      };
      let state = "";
      for (let k = 0; k < 40; k++) {
        await o.page.keyboard.press("ArrowRight");
        const line = await o.page.$eval("#trace .tl.current", (e) => e.textContent);
        if (/end of program/.test(line)) { state = await o.page.$eval("#state", (e) => e.innerText); break; }
      }
      check(section(state, "nextTick") === 1 && section(state, "microtask") === 2 && section(state, "immediate") === 1,
            "node: at the end of the program, 1 nextTick, 2 microtasks, 1 immediate queued", state);
      await press(o.page, "ArrowRight", 2);  // the drain announced, then "nextTick 1"
      state = await o.page.$eval("#state", (e) => e.innerText);
      check(section(state, "nextTick") === 0 && /callback 3/.test(state), "node: the nextTick runs and leaves its queue", state);
      await o.page.keyboard.press("PageDown");
      state = await o.page.$eval("#state", (e) => e.innerText);
      check(/the runtime.s own snapshot/.test(state) && section(state, "microtask") === 0 && /timer list 5 ms/.test(state),
            "node: before tick 1, the runtime's snapshot: microtasks drained, the interval's timer list", state);
      check(o.problems.length === 0, "node: no console errors after stepping", o.problems.join("; "));
      await o.page.close();
    }

    // ---- every scenario (both models where there are node ones): opens and steps cleanly ----
    const dir = path.dirname(book);
    const all = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => path.join(dir, f));
    if (fs.existsSync(path.join(dir, "node"))) {
      for (const f of fs.readdirSync(path.join(dir, "node"))) if (f.endsWith(".json")) all.push(path.join(dir, "node", f));
    }
    let clean = 0;
    const dirty = [];
    for (const scenario of all) {
      const html = path.join(work, "each.html");
      try {
        run(["html", scenario, "-o", html]);
      } catch (e) {
        dirty.push(`${path.basename(scenario)}: html failed: ${e.stderr || e.message}`);
        continue;
      }
      const o = await open(browser, html);
      await o.page.keyboard.press("End");
      await press(o.page, "PageUp", 3);
      await press(o.page, "ArrowLeft", 5);
      await o.page.keyboard.press("Home");
      if (o.problems.length || o.requests.length) dirty.push(`${path.basename(scenario)}: ${o.problems.concat(o.requests).join("; ")}`);
      else clean++;
      await o.page.close();
    }
    check(dirty.length === 0, `every scenario's page (${clean} of ${all.length}) opens and steps with no console error`, dirty.join(" | "));

    // ---- more than 10,000 events ----
    const big = expectations(large, "large");
    check(big.events > 10000, `large: the run has more than 10,000 events (${big.events})`);
    const t0 = Date.now();
    const opened = await open(browser, big.html);
    const loadMs = Date.now() - t0;
    check(loadMs < 15000, `large: loads in ${loadMs} ms (limit 15 s)`);
    await basics(opened.page, opened.problems, opened.requests, big, "large");
    let t1 = Date.now();
    await press(opened.page, "ArrowRight", 300);
    await press(opened.page, "PageDown", 100);
    await opened.page.keyboard.press("End");
    await press(opened.page, "ArrowLeft", 100);
    const stepMs = (Date.now() - t1) / 501;
    check(stepMs < 250, `large: a step takes ${stepMs.toFixed(1)} ms on average (limit 250 ms, a loaded CI machine included)`);
    await roundTrips(opened.page, "large", 40, 40);
    t1 = Date.now();
    await opened.page.click("#zoom-in");
    await opened.page.click("#zoom-in");
    await opened.page.click("#zoom-fit");
    check(Date.now() - t1 < 5000, "large: zooming in and out stays responsive");
    check(opened.problems.length === 0, "large: no console errors after stepping", opened.problems.slice(0, 3).join("; "));
    await opened.page.close();
  } finally {
    await close();
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`${passes} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
