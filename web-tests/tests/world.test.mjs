// The world page (/monde): the choropleth is drawn with coloured countries and a legend, the
// ranking is sorted, and a comparison of three countries names the right three series in its
// legend and plots the values of its data table; the country page and phone layouts, with
// screenshots. Run by .ci/browser.sh on `vigie serve --demo` (whose demo world has at least
// FRA, DEU, ITA, ESP, GBR, USA, BRA, IND, ZAF, JPN from both sources).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BASE, STATIC, ART, PHONE, DESKTOP, launch, open, axe, soft, parseNumber, parseDate } from './common.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

async function mapDrawn(page) {
  await page.waitForSelector('#world-map[data-enhanced="1"]', { timeout: 20000 });
  return page.evaluate(() => {
    const host = document.getElementById('world-map');
    const paths = [...host.querySelectorAll('path.leaflet-interactive')];
    const fills = paths.map((p) => p.getAttribute('fill'));
    const legend = [...document.querySelectorAll('#world-map-legend li')].map((li) => li.textContent.trim());
    return { paths: paths.length, fills, coloured: Number(host.dataset.coloured), legend };
  });
}

test('world map: countries drawn and coloured, legend, tooltip in French', async () => {
  const s = soft(assert);
  const { page, context, errors } = await open(browser, BASE + '/monde', DESKTOP);
  const m = await mapDrawn(page);
  s.ok(m.paths > 150, `${m.paths} country outlines`);
  const noData = await page.evaluate(async () => {
    const d = await (await fetch(document.getElementById('world-map').dataset.map)).json();
    return { color: d.map.no_data_color, n: Object.keys(d.map.values).length, classes: d.map.classes.map((c) => c.label.fr) };
  });
  const coloured = m.fills.filter((f) => f && f !== noData.color).length;
  s.ok(coloured >= 10, `${coloured} coloured countries`);
  s.ok(coloured <= noData.n, 'no more coloured countries than values');
  // Legend: every class label of the document, then « pas de données ».
  s.deepEqual(m.legend, [...noData.classes, 'pas de données']);
  for (const l of noData.classes) s.doesNotMatch(l, /\d\.\d|\d,\d{3}/, `French class label ${l}`);
  // Tooltip of a coloured country: its French name, a French value and « au jj/mm/aaaa ».
  const tip = await page.evaluate(async (nd) => {
    const p = [...document.querySelectorAll('#world-map path.leaflet-interactive')].find((x) => x.getAttribute('fill') !== nd);
    const b = p.getBoundingClientRect();
    const opts = { bubbles: true, clientX: b.left + b.width / 2, clientY: b.top + b.height / 2 };
    p.dispatchEvent(new MouseEvent('mouseover', opts));
    p.dispatchEvent(new MouseEvent('mousemove', opts));
    await new Promise((r) => setTimeout(r, 100));
    const t = document.querySelector('.leaflet-tooltip');
    return t ? t.textContent : '';
  }, noData.color);
  s.match(tip, /^[^:]+\u00a0: [\d\u202f\u00a0 ]+(,\d+)? par million d'hab\., au \d\d\/\d\d\/\d{4}$/, `tooltip ${JSON.stringify(tip)}`);
  await page.locator('section.map').screenshot({ path: path.join(ART, 'world-map-desktop.png') });
  s.deepEqual(errors, []);
  s.deepEqual(await axe(page), [], 'axe: no serious violation');
  await context.close();
  s.done();
});

test('world ranking: sorted, linked, French numbers; sort by name', async () => {
  const s = soft(assert);
  const { page, context, errors } = await open(browser, BASE + '/monde', DESKTOP);
  const rows = await page.$$eval('#world-ranking tbody tr', (trs) => trs.map((tr) => ({
    key: tr.dataset.key, cells: [...tr.children].map((c) => c.textContent.trim()), href: tr.querySelector('a')?.getAttribute('href'),
  })));
  s.ok(rows.length >= 10, `${rows.length} ranked countries`);
  const values = rows.map((r) => parseNumber(r.cells[2]));
  s.ok(values.every((v, i) => i === 0 || values[i - 1] >= v), 'highest first');
  s.deepEqual(rows.map((r) => r.cells[0]), rows.map((_, i) => String(i + 1)), 'ranks');
  for (const r of rows.slice(0, 5)) {
    s.equal(r.href, '/monde/' + r.key.slice(4), `link of ${r.key}`);
    parseDate(r.cells[3]);
    s.ok(parseNumber(r.cells[4]) === null || parseNumber(r.cells[4]) > 1000, `population of ${r.key}`);
  }
  s.ok(!rows.some((r) => r.key === 'WORLD' || r.key.startsWith('CONT-') || r.key.startsWith('X-')), 'no aggregate ranked');
  await page.click('#world-ranking thead a:text("Pays")');
  await page.waitForLoadState('load');
  const names = await page.$$eval('#world-ranking tbody th', (ths) => ths.map((t) => t.textContent.trim()));
  const sorted = [...names].sort((a, b) => a.localeCompare(b, 'fr'));
  s.deepEqual(names.slice(0, 10), sorted.slice(0, 10), 'sorted by name');
  s.match(page.url(), /tri=pays/);
  s.deepEqual(errors, []);
  await context.close();
  s.done();
});

test('comparison of three countries: legend names the three series, plotted values = table', async () => {
  const s = soft(assert);
  const url = BASE + '/monde?pays=FRA,DEU,ITA&indicateur=cases_7d_per_million&echelle=log&source=who';
  const { page, context, errors } = await open(browser, url, DESKTOP);
  const fig = page.locator('.compare figure.chart');
  await fig.scrollIntoViewIfNeeded();
  await page.waitForSelector('.compare figure.chart[data-enhanced="1"]', { timeout: 15000 });
  const r = await page.evaluate(() => {
    const f = document.querySelector('.compare figure.chart');
    const u = f.vigieChart;
    const labels = [...f.querySelectorAll('.u-legend .u-series .u-label')].map((e) => e.textContent.trim());
    const rows = [...f.querySelectorAll('table.chart-table tbody tr')];
    const last = rows[rows.length - 1];
    const heads = [...f.querySelectorAll('table.chart-table thead th')].map((t) => t.textContent.trim());
    // The index of the table's last date on the chart's axis.
    const [d, m, y] = last.querySelector('th').textContent.trim().split('/');
    const x = Date.UTC(+y, +m - 1, +d) / 1000;
    const i = u.data[0].indexOf(x);
    return {
      labels, heads, distr: u.scales.y.distr, i,
      table: [...last.querySelectorAll('td')].map((c) => c.textContent.trim()),
      plotted: u.data.slice(1).map((col) => col[i]),
      lastPlotted: u.data.slice(1).map((col) => { for (let k = col.length - 1; k >= 0; k--) if (col[k] !== null && col[k] !== undefined) return k; return -1; }),
    };
  });
  s.deepEqual(r.labels.slice(1), ['France — OMS', 'Allemagne — OMS', 'Italie — OMS'], 'legend');
  s.deepEqual(r.heads.slice(1), ['France — OMS', 'Allemagne — OMS', 'Italie — OMS'], 'table heads');
  s.equal(r.distr, 3, 'logarithmic y axis');
  s.ok(r.i >= 0, 'table date on the axis');
  r.table.forEach((cell, k) => {
    const want = parseNumber(cell);
    const got = r.plotted[k];
    // A log axis draws no zero: the table's 0 is an undrawn point.
    if (want === 0) s.ok(got === null, `series ${k}: zero not drawn on a log axis`);
    else s.ok(want !== null && Math.abs(got - want) < 0.051, `series ${k}: plotted ${got}, table ${cell}`);
    s.ok(r.lastPlotted[k] <= r.i, `series ${k}: nothing plotted after the table's last date`);
  });
  await page.locator('section[aria-labelledby="comparaison"]').screenshot({ path: path.join(ART, 'world-compare-desktop.png') });
  // Checking a country in the ranking and showing: the query lists it, with commas.
  await page.locator('#world-ranking input[value="ESP"]').check();
  s.equal(await page.inputValue('#world-countries'), 'FRA,DEU,ITA,ESP');
  await Promise.all([page.waitForURL(/pays=FRA,DEU,ITA,ESP/), page.click('#world-form button[type="submit"]')]);
  s.match(page.url(), /\?pays=FRA,DEU,ITA,ESP&indicateur=cases_7d_per_million&echelle=log&source=who$/);
  const legend = await page.$$eval('#compare-legend li', (lis) => lis.map((l) => l.textContent.trim()));
  s.equal(legend.length, 4);
  s.deepEqual(errors, []);
  await context.close();
  s.done();
});

test('world pages on a phone and the country page: no overflow, screenshots', async () => {
  const s = soft(assert);
  for (const [name, url] of [['world', '/monde'], ['country', '/monde/FRA'], ['world-en', '/en/world']]) {
    for (const [size, vp] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const { page, context, errors } = await open(browser, BASE + url, vp);
      if (name !== 'country') await mapDrawn(page);
      const w = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
      s.ok(w.sw <= w.iw, `${name} ${size}: horizontal overflow ${w.sw} > ${w.iw}`);
      await page.screenshot({ path: path.join(ART, `${name}-${size}-top.png`) });
      if (name === 'world' && size === 'phone') {
        await page.locator('section.map').screenshot({ path: path.join(ART, 'world-map-phone.png') });
        await page.locator('section[aria-labelledby="comparaison"] figure').screenshot({ path: path.join(ART, 'world-compare-phone.png') });
        const rank = page.locator('#world-ranking');
        await rank.scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(ART, 'world-ranking-phone.png') });
      }
      if (name === 'country') {
        s.ok(await page.locator('a.france-dashboard[href="/territoire/FR"]').count() === 1, 'link to the France dashboard');
        const cards = await page.$$eval('.cards .card h3', (h) => h.map((x) => x.textContent));
        s.ok(cards.includes('Cas confirmés (cumul) — OMS'), `cards ${cards}`);
        for (const f of await page.locator('figure.chart[data-spec]').all()) await f.scrollIntoViewIfNeeded();
        await page.waitForFunction(() => document.querySelectorAll('figure.chart[data-enhanced="1"]').length >= 2, null, { timeout: 15000 });
      }
      await page.screenshot({ path: path.join(ART, `${name}-${size}.png`), fullPage: false });
      s.deepEqual(errors, [], `${name} ${size}`);
      await context.close();
    }
  }
  const { page, context } = await open(browser, BASE + '/territoire/FR', DESKTOP);
  s.equal(await page.locator('a[href="/monde/FRA"]').textContent(), 'La France dans le monde');
  await context.close();
  s.done();
});

test('static export over file://: world map, comparison and a country chart drawn', { skip: !STATIC && 'VIGIE_STATIC not set' }, async () => {
  const s = soft(assert);
  const { page, context, errors } = await open(browser, 'file://' + path.resolve(STATIC, 'monde/index.html'), DESKTOP);
  const m = await mapDrawn(page);
  s.ok(m.coloured >= 10, `${m.coloured} coloured countries`);
  await page.locator('.compare figure.chart').scrollIntoViewIfNeeded();
  await page.waitForSelector('.compare figure.chart[data-enhanced="1"]', { timeout: 15000 });
  const href = await page.getAttribute('#world-ranking tr[data-key="ISO-FRA"] a', 'href');
  s.equal(href, '../monde/FRA/index.html');
  await page.goto('file://' + path.resolve(STATIC, 'monde/FRA/index.html'));
  const fig = page.locator('figure.chart[data-spec]').first();
  await fig.scrollIntoViewIfNeeded();
  await page.waitForSelector('figure.chart[data-enhanced="1"]', { timeout: 15000 });
  s.deepEqual(errors, []);
  await context.close();
  s.done();
});
