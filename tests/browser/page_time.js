// How long a large page takes in headless Chromium (issue 22): opening it, then pressing End
// until the whole trace is shown and drawn. Reported, not asserted: bench/run.sh's page row
// runs it on a 200,000-line page and puts the times in its table. It fails only when the
// page does not work (an error in its console, the end not reached, the last line wrong).
//
//   node page_time.js PAGE.html TEXT_TRACE
//
// TEXT_TRACE: the text trace of the same run (its last line is what End must highlight).
// Prints one line: lines=N load_ms=X end_ms=Y.
"use strict";
const fs = require("fs");
const { launch, open } = require("./browser.js");

const [html, textTrace] = process.argv.slice(2, 4);
const text = fs.readFileSync(textTrace, "utf8").replace(/\n$/, "").split("\n");
const norm = (s) => s.replace(/\t/g, " ").replace(/ +/g, " ").trim();

(async () => {
  const { browser, close } = await launch();
  let failed = "";
  try {
    const { page, problems, loadMs } = await open(browser, html);
    const want = `${text.length} of ${text.length} lines`;
    const t0 = Date.now();
    await page.keyboard.press("End");
    await page.waitForFunction((w) => document.getElementById("trace-count").textContent === w, { timeout: 60000 }, want);
    // Two frames: the timeline and the trace drawn at the end, not only computed.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const endMs = Date.now() - t0;
    const last = await page.$eval("#trace .tl.current", (e) => e.textContent.replace(/^\s*\d+/, ""));
    if (norm(last) !== norm(text[text.length - 1])) failed = `the line at the end is "${last}", not the run's last`;
    if (problems.length) failed = problems.slice(0, 3).join("; ");
    console.log(`lines=${text.length} load_ms=${loadMs} end_ms=${endMs}`);
  } finally {
    await close();
  }
  if (failed) {
    console.error(`page_time.js: ${html}: ${failed}`);
    process.exit(1);
  }
})().catch((e) => { console.error(e); process.exit(1); });
