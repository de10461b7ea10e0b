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

// Opens a page, collecting console errors, failed requests and requests leaving the machine.
export async function open(browser, url, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, bypassCSP: false });
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
  throw new Error(`not a date: ${JSON.stringify(text)}`);
}

// French month abbreviations of the axes (the server's fmt.rs), and English ones that must
// never show on a French page.
export const FR_MONTH = '(janv\\.|févr\\.|mars|avr\\.|mai|juin|juil\\.|août|sept\\.|oct\\.|nov\\.|déc\\.)';
export const EN_MONTH_RE = /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b/;
