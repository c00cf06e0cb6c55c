// End-to-end test of the HTML report in headless Chromium (Debian's /usr/bin/chromium), driven by
// playwright-core from web/node_modules. Usage: node report_test.mjs REPORT_DIR SCREENSHOT.png
// Fails (exit 1) on any console error, page error or failed request, when the map has no
// overlay image, village or tower markers, or when the screenshot of the map is blank.
// Exit 77 (CTest: skipped) only when chromium or playwright-core is not installed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [reportDir, shot] = process.argv.slice(2);
if (!reportDir || !shot) { console.error('usage: node report_test.mjs REPORT_DIR SCREENSHOT.png'); process.exit(2); }
const chromium_path = process.env.PHUSONG_CHROMIUM || '/usr/bin/chromium';
const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, '../../web/package.json'));
let playwright;
try { playwright = require('playwright-core'); } catch (e) { console.log('SKIP: playwright-core not installed (bash scripts/setup.sh runs npm ci in web/)'); process.exit(77); }
if (!existsSync(chromium_path)) { console.log('SKIP: ' + chromium_path + ' not installed (apt-get install chromium)'); process.exit(77); }

const problems = [];
const browser = await playwright.chromium.launch({
  executablePath: chromium_path,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--allow-file-access-from-files'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push('console ' + m.type() + ': ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => problems.push('request failed: ' + r.url() + ' ' + (r.failure() || {}).errorText));
  const url = pathToFileURL(path.resolve(reportDir, 'index.html')).href;
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  // Every image overlay on the map has loaded and has pixels.
  await page.waitForFunction(() => [...document.querySelectorAll('#map img.leaflet-image-layer')].every((i) => i.complete), null, { timeout: 20000 });
  const facts = await page.evaluate(() => ({
    overlays: [...document.querySelectorAll('#map img.leaflet-image-layer')].map((i) => ({ src: i.getAttribute('src'), w: i.naturalWidth })),
    villages: document.querySelectorAll('#map path.village-covered, #map path.village-uncovered').length,
    towers: document.querySelectorAll('#map path.leaflet-interactive').length,
    planTowers: document.querySelectorAll('#map path.plan-new, #map path.plan-shared, #map path.plan-existing').length,
    layersControl: document.querySelectorAll('.leaflet-control-layers-selector').length,
    charts: document.querySelectorAll('#charts svg rect.bar').length,
    tables: document.querySelectorAll('#tables table').length,
    // Technologies with shadowing get the share covered at the location probability.
    shadowed: (window.PHUSONG.technologies || []).filter((t) => t.location_probability).length,
    locationColumn: [...document.querySelectorAll('#tables th')].some((th) => th.textContent.includes('% of locations')),
    legend: !!document.querySelector('#legend img'),
    title: document.getElementById('title').textContent,
  }));
  console.log(JSON.stringify(facts));
  if (facts.overlays.length < 2) problems.push('expected the terrain and at least one coverage overlay on the map, found ' + facts.overlays.length);
  for (const o of facts.overlays) if (!(o.w > 0)) problems.push('overlay ' + o.src + ' did not load');
  if (facts.villages < 1) problems.push('no village markers on the map');
  if (facts.towers < 2) problems.push('no tower markers on the map');
  if (facts.layersControl < 3) problems.push('the layer control lists fewer than 3 layers');
  if (facts.charts < 2) problems.push('charts have no bars');
  if (facts.tables < 1) problems.push('no summary table');
  if (facts.shadowed > 0 && !facts.locationColumn) problems.push('technologies with shadowing but no location-probability column');
  if (!facts.legend) problems.push('no legend');
  const map = await page.$('#map');
  await map.screenshot({ path: shot });
  // The screenshot must show a map: many distinct colours (hillshade greys, coverage colours,
  // markers), not a blank or single-colour box. Decoded in the page from a data URL.
  const b64 = (await map.screenshot()).toString('base64');
  const colours = await page.evaluate(async (data) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + data;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    let coloured = 0;
    for (let i = 0; i < px.length; i += 4 * 7) {
      seen.add((px[i] >> 3) << 10 | (px[i + 1] >> 3) << 5 | (px[i + 2] >> 3));
      const mx = Math.max(px[i], px[i + 1], px[i + 2]), mn = Math.min(px[i], px[i + 1], px[i + 2]);
      if (mx - mn > 60) coloured++;
    }
    return { distinct: seen.size, colouredShare: coloured / (px.length / 28) };
  }, b64);
  console.log('screenshot: ' + JSON.stringify(colours));
  if (colours.distinct < 50) problems.push('the map screenshot is nearly blank (' + colours.distinct + ' colours)');
  if (colours.colouredShare < 0.05) problems.push('the map screenshot shows almost no coverage colour (' + (100 * colours.colouredShare).toFixed(1) + ' %)');
} finally {
  await browser.close();
}
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
console.log('report OK: ' + shot);
