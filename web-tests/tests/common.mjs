// Shared set-up of the browser tests: the browser, opening a page while collecting errors,
// axe-core, French number and date parsing. Not a test file itself (node --test only runs
// `*.test.mjs`).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
export const BASE = (process.env.VIGIE_URL || 'http://127.0.0.1:18099').replace(/\/$/, '');
export const STATIC = process.env.VIGIE_STATIC || '';
export const ART = path.resolve(process.env.VIGIE_ARTIFACTS || 'artifacts');
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
fs.mkdirSync(ART, { recursive: true });

export const NO_GEO = process.env.VIGIE_NO_GEO ? 'no department GeoJSON (VIGIE_NO_GEO)' : false;
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

export async function launch() {
  return chromium.launch({
    executablePath: EXE,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Opens a page, collecting console errors, failed requests and requests leaving the machine;
// `options` are more options of the browser context (`locale`, …).
export async function open(browser, url, viewport = DESKTOP, init = null, options = {}) {
  const context = await browser.newContext({ viewport, bypassCSP: false, ...options });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(BASE) && !u.startsWith('file:') && !u.startsWith('data:')) errors.push('external request ' + u);
  });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(url, { waitUntil: 'load' });
  return { page, context, errors };
}

export async function axe(page) {
  // axe is injected as a file-less script: allowed by evaluating its source in the page.
  const src = fs.readFileSync(AXE, 'utf8');
  await page.evaluate(src);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    // Over file:// axe cannot fetch the stylesheets (CORS): no preloading there.
    const r = await axe.run(document, { resultTypes: ['violations'], preload: location.protocol !== 'file:' });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  return res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// A number as the pages print it: French « 1 234,5 » (narrow or normal no-break spaces as
// group separators, comma as decimal mark) or English « 1,234.5 »; « — » is no value (null).
export function parseNumber(text, lang = 'fr') {
  const s = String(text).trim().replace(/[\s\u00a0\u202f]/g, '').replace(/%$/, '');
  if (s === '' || s === '—') return null;
  // A dot in a French number is a bug (English formatting on a French page): not parsed.
  const n = lang === 'fr' ? (s.includes('.') ? 'x' : s.replace(',', '.')) : s.replace(/,/g, '');
  if (!/^[+-]?\d+(\.\d+)?$/.test(n)) throw new Error(`not a ${lang} number: ${JSON.stringify(text)}`);
  return Number(n);
}

// A table's date head: « 28/02/2022 » (French) or ISO (English) → ISO.
export function parseDate(text) {
  const s = String(text).trim();
  let m = /^(\d\d)\/(\d\d)\/(\d{4})$/.exec(s);
  if (m) return `${m[3]}-${m[2]}-${m[1]}`;
  m = /^\d{4}-\d\d-\d\d$/.exec(s);
  if (m) return s;
  const EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  m = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})$/.exec(s);
  if (m && EN.includes(m[2])) return `${m[3]}-${String(EN.indexOf(m[2]) + 1).padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  throw new Error(`not a date: ${JSON.stringify(text)}`);
}

// French month abbreviations of the axes (the server's fmt.rs), and English ones that must
// never show on a French page.
export const FR_MONTH = '(janv\\.|févr\\.|mars|avr\\.|mai|juin|juil\\.|août|sept\\.|oct\\.|nov\\.|déc\\.)';
export const EN_MONTH_RE = /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b/;

// Assertions that record their failure and go on, so that one run reports every problem of a
// page; `done()` fails the test with all of them.
export function soft(assert) {
  const problems = [];
  const wrap = (f) => (...args) => {
    try { f(...args); return true; } catch (e) {
      const given = e.generatedMessage === false && e.operator && e.operator !== '==';
      problems.push(given ? `${e.message}: got ${JSON.stringify(e.actual)}, want ${JSON.stringify(e.expected)}` : e.message);
      return false;
    }
  };
  return {
    problems,
    ok: wrap(assert.ok), equal: wrap(assert.equal), deepEqual: wrap(assert.deepEqual),
    match: wrap(assert.match), doesNotMatch: wrap(assert.doesNotMatch),
    run: wrap((f) => f()),
    done() { assert.ok(problems.length === 0, `${problems.length} problem(s):\n- ` + problems.join('\n- ')); },
  };
}

// Init script: records every text drawn on a canvas (uPlot's axis labels, the threshold
// labels) with its box in CSS pixels relative to the canvas, in `canvas.__texts`; a full
// clear starts the list again (a redraw).
export function canvasTextSpy() {
  const P = CanvasRenderingContext2D.prototype;
  const fill = P.fillText, clear = P.clearRect;
  P.clearRect = function (x, y, w, h) {
    if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) this.canvas.__texts = [];
    return clear.apply(this, arguments);
  };
  P.fillText = function (text, x, y) {
    const m = this.measureText(text), t = this.getTransform(), c = this.canvas;
    const sx = c.clientWidth / c.width || 1, sy = c.clientHeight / c.height || 1;
    const l = t.a * (x - m.actualBoundingBoxLeft) + t.e, r = t.a * (x + m.actualBoundingBoxRight) + t.e;
    const top = t.d * (y - m.actualBoundingBoxAscent) + t.f, bottom = t.d * (y + m.actualBoundingBoxDescent) + t.f;
    (c.__texts = c.__texts || []).push({ text: String(text), left: l * sx, right: r * sx, top: top * sy, bottom: bottom * sy });
    return fill.apply(this, arguments);
  };
}
