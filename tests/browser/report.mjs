// Opens an HTML file in Debian's headless Chromium and prints one JSON line:
// {"console_errors":[...],"requests":[...],"title":"...","svgs":N,"height":H}
// Requests lists every URL the page asked for other than the file itself.
// Usage: node report.mjs REPORT.html [SCREENSHOT.png]
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [file, shot] = process.argv.slice(2);
const url = pathToFileURL(file).href;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const consoleErrors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  await page.goto(url, { waitUntil: 'load' });
  const title = await page.title();
  const svgs = await page.locator('svg').count();
  const height = await page.evaluate(() => document.body.scrollHeight);
  if (shot) await page.screenshot({ path: shot, fullPage: false });
  console.log(JSON.stringify({ console_errors: consoleErrors, requests, title, svgs, height }));
} finally {
  await browser.close();
}
