// Headless Chromium tests of the Vigie web application (Debian chromium + playwright-core,
// no browser download). Run by .ci/browser.sh, which starts `vigie serve --demo` and writes
// a static export; inputs: VIGIE_URL (server base URL), VIGIE_STATIC (export directory).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  BASE, STATIC, ART, NO_GEO, PHONE, DESKTOP, launch, open as openIn, axe,
} from './common.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });
const open = (url, viewport = DESKTOP) => openIn(browser, url, viewport);

const PAGES = [
  ['home', '/'],
  ['home-en', '/en/'],
  ['france', '/territoire/FR'],
  ['region', '/territoire/REG-84'],
  ['department', '/territoire/DEP-07'],
  ['department-en', '/en/territoire/DEP-07'],
  ['vaccination', '/vaccination'],
  ['slots', '/rendez-vous'],
  ['sources', '/sources'],
  ['open-data', '/donnees'],
  ['territories', '/territoires'],
  ['licences', '/licences'],
  ['about', '/a-propos'],
  ['statistics', '/statistiques'],
];

for (const [name, p] of PAGES) {
  test(`${name}: no console error, no serious axe violation, screenshots`, async () => {
    const { page, context, errors } = await open(BASE + p, DESKTOP);
    await page.waitForLoadState('networkidle');
    assert.equal(await page.getAttribute('html', 'lang'), p.startsWith('/en') ? 'en' : 'fr');
    const violations = await axe(page);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 1));
    await page.screenshot({ path: path.join(ART, `${name}-desktop.png`), fullPage: false });
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(100);
    await page.screenshot({ path: path.join(ART, `${name}-phone.png`), fullPage: false });
    // Nothing wider than a phone: the page never scrolls sideways at 390 px.
    const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    const wide = sw > iw ? await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5).map((e) => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40))) : [];
    assert.ok(sw <= iw, `${p} at 390 px: scrollWidth ${sw} > ${iw}: ${JSON.stringify(wide)}`);
    await page.screenshot({ path: path.join(ART, `${name}-phone-full.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

async function fills(page) {
  return page.$$eval('#map path.leaflet-interactive', (ps) => ps.map((p) => p.getAttribute('fill')));
}

async function dashboardWorks(url) {
  const { page, context, errors } = await open(url, DESKTOP);
  await page.waitForSelector('#map[data-ready="1"]', { timeout: 15000 });
  const before = await fills(page);
  assert.ok(before.length >= 90, `departments drawn: ${before.length}`);
  // The charts become interactive (uPlot canvas) when scrolled into view.
  const fig = page.locator('figure.chart').first();
  await fig.scrollIntoViewIfNeeded();
  await page.waitForSelector('figure.chart[data-enhanced="1"] canvas', { timeout: 15000 });
  // Every chart keeps its data table and text alternative.
  const tables = await page.$$eval('figure.chart', (fs) => fs.map((f) => !!f.querySelector('details table')));
  assert.ok(tables.length >= 3 && tables.every(Boolean), `tables: ${tables}`);
  // Switch the map layer: the fill colours change.
  const radios = page.locator('#map-layers input[name="layer"]');
  assert.ok(await radios.count() >= 2, 'at least two layers');
  await radios.nth(1).check();
  await page.waitForFunction(() => document.getElementById('map').dataset.layer !== 'incidence_rate_7d');
  const afterFills = await fills(page);
  assert.notDeepEqual(afterFills, before, 'fill colours changed');
  assert.deepEqual(errors, []);
  return { page, context };
}

test('department dashboard: map, charts, layer switch (server)', { skip: NO_GEO }, async () => {
  const { page, context } = await dashboardWorks(BASE + '/territoire/DEP-07');
  await page.screenshot({ path: path.join(ART, 'department-map-layer2.png') });
  await context.close();
});

test('keyboard: skip link, visible focus, layer switch with arrows', { skip: NO_GEO }, async () => {
  const { page, context, errors } = await open(BASE + '/territoire/DEP-07', DESKTOP);
  await page.waitForSelector('#map[data-ready="1"]', { timeout: 15000 });
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const e = document.activeElement;
    const cs = getComputedStyle(e);
    return { cls: e.className, text: e.textContent, outline: cs.outlineStyle, left: e.getBoundingClientRect().left };
  });
  assert.equal(first.cls, 'skip');
  assert.notEqual(first.outline, 'none');
  assert.ok(first.left >= 0, 'skip link visible when focused');
  await page.keyboard.press('Enter');
  assert.match(page.url(), /#contenu$/);
  // Focus the checked layer radio and change it with the arrow key.
  await page.focus('#map-layers input:checked');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.getElementById('map').dataset.layer !== 'incidence_rate_7d');
  // Tab reaches the territory selector and every link is reachable.
  await page.focus('#territory-select');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'BUTTON');
  assert.deepEqual(errors, []);
  await context.close();
});

test('territory selector navigates', async () => {
  const { page, context } = await open(BASE + '/territoire/DEP-07', DESKTOP);
  await page.selectOption('#territory-select', 'DEP-26');
  await Promise.all([page.waitForURL(/DEP-26/), page.click('form.selector button')]);
  assert.match(await page.textContent('h1'), /Drôme/);
  await context.close();
});

test('static export opened from files behaves the same', { skip: NO_GEO || (!STATIC && 'VIGIE_STATIC not set') }, async () => {
  const url = 'file://' + path.resolve(STATIC, 'territoire/DEP-07/index.html');
  const { page, context } = await dashboardWorks(url);
  await page.screenshot({ path: path.join(ART, 'static-department.png') });
  // Links lead to files that exist.
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href).filter((h) => h.startsWith('file:')));
  assert.ok(hrefs.length > 20);
  for (const h of hrefs) {
    const f = decodeURIComponent(new URL(h).pathname);
    assert.ok(fs.existsSync(f), `link target exists: ${f}`);
  }
  await Promise.all([page.waitForURL(/REG-84/), page.click('nav.crumbs a[href*="REG-84"]')]);
  await page.waitForSelector('#map[data-ready="1"]', { timeout: 15000 });
  await context.close();
});

// ---------------------------------------------------------------- slot finder
// Order of the results: every centre with slots before those without, distances
// non-decreasing within each group.
async function resultRows(page) {
  return page.$$eval('#slot-results li.centre', (ls) => ls.map((l) => ({
    slots: Number(l.dataset.slots), distance: l.dataset.distance === undefined ? null : Number(l.dataset.distance),
  })));
}
function assertSorted(rows) {
  assert.ok(rows.length >= 2, `at least two centres: ${rows.length}`);
  const firstEmpty = rows.findIndex((r) => r.slots === 0);
  if (firstEmpty >= 0) {
    assert.ok(rows.slice(firstEmpty).every((r) => r.slots === 0), `all centres with slots first: ${JSON.stringify(rows)}`);
  }
  for (const group of [rows.filter((r) => r.slots > 0), rows.filter((r) => r.slots === 0)]) {
    for (let i = 1; i < group.length; i++) {
      assert.ok(group[i].distance >= group[i - 1].distance, `distances non-decreasing: ${JSON.stringify(group)}`);
    }
  }
}

// The whole flow, keyboard-only for the place: type, ArrowDown, Enter.
async function slotFlow(url, name) {
  const { page, context, errors } = await open(url, DESKTOP);
  await page.focus('#slot-q');
  await page.keyboard.type('Priv', { delay: 60 });
  await page.waitForSelector('#slot-q-list li[role="option"]', { timeout: 15000 });
  assert.equal(await page.getAttribute('#slot-q', 'aria-expanded'), 'true');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.getAttribute('#slot-q-list li[role="option"]:first-child', 'aria-selected'), 'true');
  assert.match(await page.getAttribute('#slot-q', 'aria-activedescendant'), /slot-q-opt-0/);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#slot-results[data-ready="1"] li.centre', { timeout: 15000 });
  assert.match(await page.textContent('#slot-results h2'), /Privas \(07000\)/);
  assert.equal(await page.inputValue('#slot-commune'), '07186');
  const rows = await resultRows(page);
  assertSorted(rows);
  // The count line is the server's sentence (« 319 créneaux dans 6 lieux sur 8 trouvés. »),
  // never « … sur 8, 319 créneaux » (reads 8,319).
  assert.match(await page.textContent('#slot-results p.count'),
    /^[\d\u202f\u00a0]+ créneaux? dans [\d\u202f\u00a0]+ lieux? sur [\d\u202f\u00a0]+ trouvés?\.( Disponibilités inconnues pour [\d\u202f\u00a0]+ lieux?\.)?$/);
  const ids = await page.$$eval('#slot-results li.centre', (ls) => ls.map((l) => l.dataset.id));
  assert.ok(rows[0].slots > 0 && rows[0].distance < 10, `nearest centre with slots first: ${JSON.stringify(rows[0])}`);
  assert.match(await page.textContent('#slot-age'), /mis à jour il y a \d+ min/);
  // French slot times and distances, https booking links opening safely, phone links.
  const first = page.locator('#slot-results li.centre').first();
  assert.match(await first.locator('.avail').textContent(), /\d+ créneaux? · prochain : (lun|mar|mer|jeu|ven|sam|dim)\. \d+ \S+ à \d\d:\d\d/);
  assert.match(await first.locator('.dist').textContent(), /^\d,\d\u00a0km$/);
  const books = await page.$$eval('#slot-results a.book', (as) => as.map((a) => [a.href, a.rel]));
  assert.ok(books.length > 0 && books.every(([h, r]) => h.startsWith('https://') && r === 'noopener'), JSON.stringify(books));
  assert.match(await first.locator('a.tel').getAttribute('href'), /^tel:\+33\d{9}$/);
  const all = await page.$$eval('#slot-days a[data-day=""] .n', (n) => Number(n[0].textContent.replace(/\D/g, '')));

  // Switch the dose tag: the search runs again with it, still sorted, counts never larger.
  await page.selectOption('#slot-tag', 'kids_first_dose');
  await page.waitForSelector('#slot-results[data-tag="kids_first_dose"] li.centre', { timeout: 15000 });
  assertSorted(await resultRows(page));
  const kids = await page.$$eval('#slot-days a[data-day=""] .n', (n) => Number(n[0].textContent.replace(/\D/g, '')));
  assert.ok(kids <= all, `kids' first doses (${kids}) ≤ all doses (${all})`);
  await page.selectOption('#slot-tag', 'all');
  await page.waitForSelector('#slot-results[data-tag="all"] li.centre', { timeout: 15000 });

  // Pick the day with the most slots: the centres show that day's count, which add up to it.
  const days = await page.$$eval('#slot-days a[data-day]', (as) => as.filter((a) => a.dataset.day).map((a) => [a.dataset.day, Number(a.querySelector('.n').textContent.replace(/\D/g, ''))]));
  assert.ok(days.length >= 7, `days: ${days.length}`);
  const [best, bestN] = days.reduce((m, d) => (d[1] > m[1] ? d : m));
  assert.ok(bestN > 0);
  await page.click(`#slot-days a[data-day="${best}"]`);
  await page.waitForSelector(`#slot-results[data-day="${best}"]`);
  assert.equal(await page.getAttribute(`#slot-days a[data-day="${best}"]`, 'aria-current'), 'true');
  const dayRows = await resultRows(page);
  assert.equal(dayRows.reduce((s, r) => s + r.slots, 0), bestN);
  const firstEmpty = dayRows.findIndex((r) => r.slots === 0);
  assert.ok(firstEmpty < 0 || dayRows.slice(firstEmpty).every((r) => r.slots === 0), 'centres with slots that day first');

  // Map view: one marker per centre with coordinates, the list hidden; back to the list.
  await page.click('#slot-views button[data-view="map"]');
  await page.waitForSelector('#slot-map[data-markers]', { timeout: 15000 });
  const markers = await page.$$eval('#slot-map path.leaflet-interactive', (ps) => ps.length);
  assert.equal(markers, Number(await page.getAttribute('#slot-map', 'data-markers')));
  assert.equal(markers, dayRows.length);
  assert.equal(await page.isVisible('#slot-results ol.centres'), false);
  await page.screenshot({ path: path.join(ART, `${name}-map-desktop.png`) });
  await page.click('#slot-views button[data-view="list"]');
  assert.equal(await page.isVisible('#slot-results ol.centres'), true);

  const violations = await axe(page);
  assert.deepEqual(violations, [], JSON.stringify(violations, null, 1));
  await page.screenshot({ path: path.join(ART, `${name}-results-desktop.png`) });
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(150);
  await page.locator('#slot-days').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ART, `${name}-results-phone.png`) });
  assert.deepEqual(errors, []);
  await context.close();
  return ids;
}

test('slot finder: keyboard autocomplete, sorted results, tag, day, map (server)', async () => {
  await slotFlow(BASE + '/rendez-vous', 'slots');
});

test('slot finder without JavaScript: server-rendered results for GET parameters', async () => {
  const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(BASE + '/rendez-vous?q=Privas&tag=all&radius_km=50', { waitUntil: 'load' });
  assertSorted(await resultRows(page));
  // The day picker works as links.
  const href = await page.getAttribute('#slot-days a[data-day]:nth-child(3)', 'href');
  assert.match(href, /day=\d{4}-\d\d-\d\d/);
  await page.goto(new URL(href, BASE).href, { waitUntil: 'load' });
  assert.equal(await page.getAttribute('#slot-days a:nth-child(3)', 'aria-current'), 'true');
  // English under /en.
  await page.goto(BASE + '/en/rendez-vous?q=Privas', { waitUntil: 'load' });
  assert.match(await page.textContent('#slot-results li.centre .avail'), /(\d+ slots? · next: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ \w+ at \d\d:\d\d)|No slot/);
  await context.close();
});

test('slot finder of the static export over file:// searches in the browser', { skip: !STATIC && 'VIGIE_STATIC not set' }, async () => {
  const ids = await slotFlow('file://' + path.resolve(STATIC, 'rendez-vous/index.html'), 'static-slots');
  // The browser's search over the exported files finds what the server's finder finds.
  const api = await (await fetch(BASE + '/api/v1/slots/search?commune=07186&radius_km=50')).json();
  assert.deepEqual(ids, api.centres.map((c) => c.id));
});
