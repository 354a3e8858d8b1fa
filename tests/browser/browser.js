// Starts Debian's chromium headless with the network off, for the page tests.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const puppeteer = require("puppeteer-core");

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "elt-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           `--user-data-dir=${profile}`],
  });
  const close = async () => {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { browser, close };
}

// A page with the network off: every request that is not the file itself fails, and is
// counted, so that a test can say the page asked for nothing.
async function open(browser, file, { width = 1400, height = 820 } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const problems = [];
  const requests = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warn") problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.setRequestInterception(true);
  // A fragment (#step=40) is kept in the address but never part of the request.
  const [onDisk, fragment] = file.split("#");
  const url = "file://" + path.resolve(onDisk) + (fragment === undefined ? "" : "#" + fragment);
  const requested = url.replace(/#.*$/, "");
  page.on("request", (r) => {
    if (r.url().replace(/#.*$/, "") === requested) return r.continue();
    requests.push(r.url());
    return r.abort("internetdisconnected");
  });
  await page.emulateNetworkConditions({ offline: true, latency: 0, download: 0, upload: 0 });
  const t0 = Date.now();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready='1']", { timeout: 20000 });
  const loadMs = Date.now() - t0;
  return { page, problems, requests, loadMs };
}

module.exports = { launch, open };
