// What the interactive charts and the map say: the uPlot chart of every figure names the same
// series as its SVG and its data table, holds the table's values, speaks French on French
// pages, and keeps its text inside its box; the Leaflet map's legend has the static map's
// classes, lists the overseas departments and shows the date. Run by .ci/browser.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  BASE, ART, NO_GEO, PHONE, DESKTOP, launch, open, soft, canvasTextSpy, parseNumber, parseDate, FR_MONTH, EN_MONTH_RE,
} from './common.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

// Pages with interactive charts: the France page, a department (French and English) and the
// vaccination page.
const CHART_PAGES = [
  ['france', '/territoire/FR', 'fr'],
  ['department', '/territoire/DEP-07', 'fr'],
  ['department-en', '/en/territoire/DEP-07', 'en'],
  ['vaccination', '/vaccination', 'fr'],
];
const SIZES = [['desktop', DESKTOP], ['phone', PHONE]];

// Scrolls every chart into view (they are drawn when they come near the viewport) and waits
// until every time chart is drawn; returns the number of figures and of time charts.
async function drawAllCharts(page) {
  const kinds = await page.evaluate(async () => {
    const out = [];
    for (const f of document.querySelectorAll('figure.chart[data-spec]')) {
      const r = await fetch(f.dataset.spec);
      out.push(r.ok ? (await r.json()).kind : `HTTP ${r.status}`);
    }
    return out;
  });
  const figs = page.locator('figure.chart[data-spec]');
  for (let i = 0; i < kinds.length; i++) {
    await figs.nth(i).scrollIntoViewIfNeeded();
    if (kinds[i] === 'time') {
      await page.waitForFunction((n) => {
        const f = document.querySelectorAll('figure.chart[data-spec]')[n];
        return f && f.dataset.enhanced === '1' && f.vigieChart;
      }, i, { timeout: 15000 });
    }
  }
  return kinds;
}

// Everything a drawn chart shows, read in the page: the uPlot legend and data, the SVG's
// legend (the img's file, parsed), the data table, the axis labels with their boxes, and every
// text box of the figure.
async function readCharts(page) {
  return page.evaluate(async () => {
    const box = (r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height });
    const svgLegend = (doc) => {
      // Legend entries: a text right after its swatch (a filled rect, or a line/area path).
      const out = [];
      doc.querySelectorAll('text').forEach((t) => {
        const prev = t.previousElementSibling;
        if (!prev || t.parentElement.tagName !== 'g' || t.parentElement.attributes.length) return;
        const isSwatch = (prev.tagName === 'rect' && prev.getAttribute('fill') && prev.getAttribute('fill') !== 'none')
          || (prev.tagName === 'path' && prev.getAttribute('fill') === 'none' && /^M[\d.]+,[\d.]+h[\d.]+$/.test(prev.getAttribute('d') || ''));
        if (isSwatch) out.push({ label: t.textContent, color: prev.getAttribute(prev.tagName === 'rect' ? 'fill' : 'stroke') });
      });
      return out;
    };
    const res = [];
    for (const fig of document.querySelectorAll('figure.chart[data-spec]')) {
      const spec = await (await fetch(fig.dataset.spec)).json();
      if (spec.kind !== 'time') continue;
      const u = fig.vigieChart;
      const img = fig.querySelector('img');
      const svgText = await (await fetch(img.getAttribute('src'))).text();
      const svg = new DOMParser().parseFromString(svgText, 'image/svg+xml');
      const table = fig.querySelector('table.chart-table');
      const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
      const lastRow = table.querySelector('tbody tr:last-child');
      const last = {
        date: lastRow.querySelector('th').textContent.trim(),
        cells: [...lastRow.querySelectorAll('td')].map((td) => td.textContent.trim()),
      };
      const legendRows = [...fig.querySelectorAll('.u-legend tr.u-series')];
      const legend = legendRows.map((tr) => tr.querySelector('.u-label').textContent.trim());

      // Axis labels as uPlot drew them on the canvas, with their boxes in page coordinates.
      const dpr = window.devicePixelRatio || 1;
      const canvas = u.ctx.canvas.getBoundingClientRect();
      const over = u.over.getBoundingClientRect();
      const axes = u.axes.map((a, ai) => {
        u.ctx.save();
        u.ctx.font = a.font[0];
        const fontPx = a.font[1] / dpr;
        const labels = (a._values || []).map((text, k) => {
          const split = a._splits[k];
          if (text === null || text === undefined || text === '') return null;
          const w = u.ctx.measureText(String(text)).width / dpr;
          let l, r, t, b;
          if (ai === 0) {
            const x = over.left + u.valToPos(split, 'x');
            l = x - w / 2; r = x + w / 2;
            t = over.bottom + a.ticks.size + a.gap; b = t + fontPx;
          } else {
            const y = over.top + u.valToPos(split, 'y');
            r = over.left - a.ticks.size - a.gap; l = r - w;
            t = y - fontPx / 2; b = y + fontPx / 2;
          }
          return { text: String(text), left: l, right: r, top: t, bottom: b };
        }).filter(Boolean);
        u.ctx.restore();
        return labels;
      });
      // Threshold labels, drawn inside the plot by vigie.js.
      u.ctx.save();
      u.ctx.font = Math.round(11 * dpr) + 'px system-ui, sans-serif';
      const thresholds = (spec.thresholds || []).map((th) => {
        const label = document.documentElement.lang === 'en' ? th.label.en : th.label.fr;
        return { text: label, left: over.left + 4, right: over.left + 4 + u.ctx.measureText(label).width / dpr };
      });
      u.ctx.restore();

      // Every text drawn on the canvas (recorded by canvasTextSpy), in page coordinates.
      const drawn = (u.ctx.canvas.__texts || []).map((d) => ({
        text: d.text, left: canvas.left + d.left, right: canvas.left + d.right, top: canvas.top + d.top, bottom: canvas.top + d.bottom,
      }));
      // Every visible text of the figure (title, unit, legend, source): its rendered boxes,
      // measured with the figure's before the cursor moves.
      const figBox = box(fig.getBoundingClientRect());
      const texts = [];
      const walker = document.createTreeWalker(fig, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim() || n.parentElement.closest('details, [hidden]')) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) texts.push({ text: n.textContent.trim().slice(0, 60), ...box(r) });
      }

      // The legend's values with the cursor on the last date of the table.
      const lastIso = /^(\d\d)\/(\d\d)\/(\d{4})$/.exec(last.date);
      const iso = lastIso ? `${lastIso[3]}-${lastIso[2]}-${lastIso[1]}` : last.date;
      const xs = u.data[0];
      const idx = xs.indexOf(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 1000);
      let hover = null;
      if (idx >= 0) {
        u.setCursor({ left: u.valToPos(xs[idx], 'x'), top: 5 });
        hover = {
          idx: u.cursor.idx,
          values: legendRows.map((tr) => tr.querySelector('.u-value').textContent.trim()),
        };
      }
      res.push({
        id: spec.id,
        title: spec.title,
        decimals: spec.decimals,
        specLabels: spec.series.map((s) => s.label),
        uplotLabels: u.series.slice(1).map((s) => s.label),
        legend,
        svgLegend: svgLegend(svg),
        svgError: svg.querySelector('parsererror') ? svgText.slice(0, 200) : null,
        heads,
        last,
        lastIdx: idx,
        data: u.data.slice(1).map((col) => (idx >= 0 ? col[idx] : undefined)),
        hover,
        axes,
        thresholds,
        drawn,
        texts,
        fig: figBox,
        canvas: box(canvas),
        plot: box(over),
        figText: fig.textContent,
      });
    }
    return res;
  });
}

const within = (inner, outer, tol = 0.75) => inner.left >= outer.left - tol && inner.right <= outer.right + tol
  && inner.top >= outer.top - tol && inner.bottom <= outer.bottom + tol;
const norm = (s) => String(s).replace(/[\s\u00a0\u202f]+/g, ' ').trim();

for (const [name, p, lang] of CHART_PAGES) {
  for (const [size, viewport] of SIZES) {
    test(`${name} (${size}): every interactive chart names, holds and shows what its SVG and table say`, async () => {
      const { page, context, errors } = await open(browser, BASE + p, viewport, canvasTextSpy);
      const kinds = await drawAllCharts(page);
      assert.ok(kinds.filter((k) => k === 'time').length >= 1, `time charts on ${p}: ${kinds}`);
      const ck = soft(assert);
      const charts = await readCharts(page);
      const L = (l10n) => l10n[lang];
      for (const c of charts) {
        const what = `${p} ${size} chart ${c.id}`;
        ck.equal(c.svgError, null, `${what}: the SVG parses`);
        const labels = c.specLabels.map(L);
        // Same series, same order: uPlot's series, its legend, the table's heads, the SVG's legend.
        ck.deepEqual(c.uplotLabels, labels, `${what}: uPlot series`);
        ck.deepEqual(c.legend.slice(1), labels, `${what}: uPlot legend`);
        ck.deepEqual(c.heads.slice(1), labels, `${what}: table heads`);
        if (labels.length > 1 || c.svgLegend.length > 0) {
          // The SVG is drawn in French; its legend names the French labels.
          ck.deepEqual(c.svgLegend.map((e) => e.label), c.specLabels.map((l) => l.fr), `${what}: SVG legend`);
        }
        // uPlot holds the table's values at the table's last date (rounded as the table is),
        // and its legend prints them as the table does.
        ck.ok(c.lastIdx >= 0, `${what}: the table's last date ${c.last.date} is on uPlot's axis`);
        ck.equal(c.last.cells.length, labels.length, `${what}: one cell per series`);
        labels.forEach((label, j) => {
          let fromTable;
          if (!ck.run(() => { fromTable = parseNumber(c.last.cells[j], lang); })) return;
          const held = c.data[c.uplotLabels.indexOf(label)];
          const rounded = held === null || held === undefined ? null : Number(held.toFixed(c.decimals));
          ck.equal(rounded, fromTable, `${what}: ${label} on ${c.last.date}: uPlot ${held}, table ${c.last.cells[j]}`);
        });
        if (ck.ok(c.hover && c.hover.idx === c.lastIdx, `${what}: cursor on the last date`)) {
          ck.deepEqual(c.hover.values.slice(1).map(norm), c.last.cells.map(norm), `${what}: legend values at the last date`);
          ck.run(() => assert.equal(parseDate(c.hover.values[0]), parseDate(c.last.date), `${what}: legend date`));
        }
        // Language of the axes and the legend.
        const xLabels = c.axes[0].map((a) => a.text);
        ck.ok(xLabels.length >= 2, `${what}: x labels ${xLabels}`);
        const month = lang === 'fr' ? FR_MONTH : '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
        const tick = new RegExp(`^(\\d{1,2} )?${month}( \\d{4})?$`);
        for (const x of xLabels) ck.match(x, tick, `${what}: x axis label`);
        for (const y of c.axes[1].map((a) => a.text)) ck.run(() => parseNumber(y, lang));
        if (lang === 'fr') {
          ck.doesNotMatch(c.figText, EN_MONTH_RE, `${what}: no English month`);
          ck.doesNotMatch(c.figText, /\b(Time|Value)\b/, `${what}: no English legend word`);
        }
        // Nothing outside the box: every text of the figure, every axis label (within the
        // canvas, else it is clipped), every threshold label within the plot; x labels apart.
        for (const t of c.texts) ck.ok(within(t, c.fig), `${what}: text « ${t.text} » ${JSON.stringify(t)} outside the figure ${JSON.stringify(c.fig)}`);
        ck.ok(c.drawn.length >= xLabels.length, `${what}: canvas texts recorded: ${c.drawn.length}`);
        for (const a of c.drawn) ck.ok(within(a, c.canvas) && within(a, c.fig), `${what}: canvas text « ${a.text} » ${JSON.stringify(a)} outside the chart ${JSON.stringify(c.canvas)}`);
        for (let i = 0; i < c.drawn.length; i++) {
          for (let j = i + 1; j < c.drawn.length; j++) {
            const a = c.drawn[i], b = c.drawn[j];
            const apart = a.right <= b.left + 1 || b.right <= a.left + 1 || a.bottom <= b.top + 1 || b.bottom <= a.top + 1;
            ck.ok(apart, `${what}: canvas texts « ${a.text} » and « ${b.text} » overlap`);
          }
        }
        for (const t of c.thresholds) ck.ok(t.right <= c.plot.right, `${what}: threshold label « ${t.text} » wider than the plot`);
      }
      // The page itself never scrolls sideways.
      const overflow = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      ck.ok(overflow[0] <= overflow[1], `${p} ${size}: horizontal overflow ${overflow}`);
      // One picture of every figure, to be looked at.
      const figs = page.locator('figure.chart[data-spec]');
      const n = await figs.count();
      for (let i = 0; i < n; i++) {
        const stem = await figs.nth(i).getAttribute('data-chart');
        await figs.nth(i).screenshot({ path: path.join(ART, `chart-${name}-${size}-${stem}.png`) });
      }
      ck.deepEqual(errors, []);
      ck.done();
      await context.close();
    });
  }
}

// ---------------------------------------------------------------- map
// The Leaflet legend against the map spec (and the static SVG map's legend, the fallback
// image), for every layer; the overseas departments reachable; the date shown.
const MAP_PAGES = [
  ['france', '/territoire/FR', 'fr'],
  ['department', '/territoire/DEP-07', 'fr'],
  ['department-en', '/en/territoire/DEP-07', 'en'],
];

async function mapState(page) {
  return page.evaluate(async () => {
    const host = document.getElementById('map');
    const spec = await (await fetch(host.dataset.map)).json();
    const layer = spec.layers.find((l) => l.id === host.dataset.layer);
    const fallback = document.querySelector('img.map-fallback');
    let svg = null;
    if (fallback) {
      // The static map of the layer shown: the fallback image's folder, the layer's file.
      const src = new URL(fallback.getAttribute('src'), location.href);
      const url = new URL(layer.id + '.svg', src).href;
      const r = await fetch(url);
      if (r.ok) {
        const doc = new DOMParser().parseFromString(await r.text(), 'image/svg+xml');
        svg = [];
        doc.querySelectorAll('text').forEach((t) => {
          const prev = t.previousElementSibling;
          const inLegend = t.parentElement.tagName === 'g' && !t.parentElement.attributes.length;
          if (inLegend && prev && prev.tagName === 'rect' && prev.getAttribute('fill') && prev.getAttribute('fill') !== 'none') svg.push({ label: t.textContent, color: prev.getAttribute('fill').toLowerCase() });
        });
      }
    }
    const rgb = (c) => {
      const m = /rgba?\((\d+), (\d+), (\d+)/.exec(c);
      return m ? '#' + [m[1], m[2], m[3]].map((x) => (+x).toString(16).padStart(2, '0')).join('') : c;
    };
    const legend = [...document.querySelectorAll('#map-legend li')].map((li) => ({
      label: li.textContent.trim(), color: rgb(getComputedStyle(li.querySelector('.swatch')).backgroundColor),
    }));
    return {
      layer,
      legend,
      legendText: document.getElementById('map-legend').textContent,
      svg,
      overseas: [...document.querySelectorAll('.map-overseas button')].map((b) => b.textContent.trim()),
    };
  });
}

for (const [name, p, lang] of MAP_PAGES) {
  test(`map of ${name}: legend = spec = static map, every layer; overseas; date`, { skip: NO_GEO }, async () => {
    const { page, context, errors } = await open(browser, BASE + p, DESKTOP);
    await page.waitForSelector('#map[data-ready="1"]', { timeout: 15000 });
    const radios = page.locator('#map-layers input[name="layer"]');
    const n = await radios.count();
    assert.ok(n >= 2, 'at least two layers');
    const ck = soft(assert);
    for (let i = 0; i < n; i++) {
      const id = await radios.nth(i).getAttribute('value');
      await radios.nth(i).check();
      await page.waitForFunction((v) => document.getElementById('map').dataset.layer === v, id);
      const s = await mapState(page);
      const L = (x) => x[lang];
      const want = s.layer.classes.map((c) => ({ label: L(c.label), color: c.color.toLowerCase() }))
        .concat([{ label: L(s.layer.no_data_label), color: s.layer.no_data_color.toLowerCase() }]);
      ck.deepEqual(s.legend, want, `${p} layer ${id}: Leaflet legend = map spec classes`);
      if (s.svg) {
        // The SVG map (French) lists the same classes and colours (high values first on the side).
        const fr = s.layer.classes.map((c) => ({ label: c.label.fr, color: c.color.toLowerCase() }))
          .concat([{ label: s.layer.no_data_label.fr, color: s.layer.no_data_color.toLowerCase() }]);
        const key = (e) => e.color + ' ' + e.label;
        ck.deepEqual(s.svg.map(key).sort(), fr.map(key).sort(), `${p} layer ${id}: static map legend = map spec classes`);
      }
      // The date of the values is shown with the legend.
      // French pages: « 28/02/2022 »; English pages: ISO, « 28/02/2022 » or « 28 Feb 2022 ».
      const fr = s.layer.date.split('-').reverse().join('/');
      const [y, m, d] = s.layer.date.split('-');
      const en = `${+d} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1]} ${y}`;
      const dates = lang === 'fr' ? [fr] : [s.layer.date, fr, en];
      ck.ok(dates.some((x) => s.legendText.includes(x)), `${p} layer ${id}: legend shows the date ${dates.join(' or ')}: « ${s.legendText} »`);
      if (lang === 'fr') ck.doesNotMatch(s.legendText, EN_MONTH_RE, `${p}: no English month`);
    }
    // Overseas departments: one button each, and clicking one shows it.
    const s = await mapState(page);
    ck.deepEqual(s.overseas.slice(0, 5), ['Guadeloupe', 'Martinique', 'Guyane', 'La Réunion', 'Mayotte'], `${p}: overseas buttons`);
    await page.click('.map-overseas button:has-text("La Réunion")');
    await page.waitForTimeout(400);
    const shown = await page.evaluate(() => {
      const m = document.getElementById('map').getBoundingClientRect();
      // The path of La Réunion (974) is the one inside the map box once the view moved there.
      return [...document.querySelectorAll('#map path.leaflet-interactive')].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 20 && r.left >= m.left - 1 && r.right <= m.right + 1 && r.top >= m.top - 1 && r.bottom <= m.bottom + 1;
      }).length;
    });
    ck.ok(shown >= 1, `${p}: one department fully in view after « La Réunion »`);
    await page.screenshot({ path: path.join(ART, `map-${name}-reunion.png`) });
    ck.deepEqual(errors, []);
    ck.done();
    await context.close();
  });
}

test('map on a phone: no overflow, legend readable, screenshot', { skip: NO_GEO }, async () => {
  const { page, context, errors } = await open(browser, BASE + '/territoire/DEP-07', PHONE);
  await page.waitForSelector('#map[data-ready="1"]', { timeout: 15000 });
  await page.locator('#map-legend').scrollIntoViewIfNeeded();
  const r = await page.evaluate(() => {
    const legend = document.getElementById('map-legend').getBoundingClientRect();
    return { sw: document.documentElement.scrollWidth, iw: window.innerWidth, right: legend.right };
  });
  assert.ok(r.sw <= r.iw, `horizontal overflow ${r.sw} > ${r.iw}`);
  assert.ok(r.right <= r.iw, 'legend within the screen');
  await page.locator('section.map').screenshot({ path: path.join(ART, 'map-department-phone.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
