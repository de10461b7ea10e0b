// Vigie: progressive enhancement of the server-rendered pages (no build step, no framework).
// Interactive department map (Leaflet), interactive charts (uPlot), territory selector and
// the slot finder (autocomplete, results map, day picker). Every feature is optional: the
// pages are complete without this file.
(function () {
  'use strict';

  var FR = document.documentElement.lang !== 'en';
  function t(fr, en) { return FR ? fr : en; }
  function fmt(v, d) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    return v.toLocaleString(FR ? 'fr-FR' : 'en-GB', { maximumFractionDigits: d, minimumFractionDigits: 0 });
  }
  // A value with exactly `d` decimals, as the server's data tables print it (« 170,0 »).
  function fmtFixed(v, d) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    return v.toLocaleString(FR ? 'fr-FR' : 'en-GB', { maximumFractionDigits: d, minimumFractionDigits: d });
  }

  // JSON loader: fetch over http(s); over file:// (static export opened from disk) the export
  // has a `.js` twin of every data file that registers it in window.VIGIE_JSONP.
  var cache = {};
  function getJSON(url) {
    var abs = new URL(url, location.href).href;
    if (cache[abs]) return cache[abs];
    var p;
    if (location.protocol === 'file:') {
      p = new Promise(function (resolve, reject) {
        var reg = window.VIGIE_JSONP || {};
        if (reg[abs]) { resolve(reg[abs]); return; }
        var s = document.createElement('script');
        s.src = abs + '.js';
        s.onload = function () {
          var d = (window.VIGIE_JSONP || {})[abs];
          if (d) resolve(d); else reject(new Error('no data for ' + abs));
        };
        s.onerror = function () { reject(new Error('cannot load ' + abs)); };
        document.head.appendChild(s);
      });
    } else {
      p = fetch(abs, { headers: { Accept: 'application/json' } }).then(function (r) {
        if (!r.ok) throw new Error(r.status + ' ' + abs);
        return r.json();
      });
    }
    cache[abs] = p;
    return p;
  }

  // ---------------------------------------------------------------- map
  // The layers are the build's map specs (charts/maps/<id>.json, schema vigie.map.v1): the
  // same classes, colours, legend labels and date as the static SVG map.
  function classOf(layer, v) {
    if (v === undefined || v === null || !isFinite(v)) return -1;
    for (var i = 0; i < layer.classes.length; i++) {
      var c = layer.classes[i];
      if ((c.min === null || c.min === undefined || v >= c.min) && (c.max === null || c.max === undefined || v < c.max)) return i;
    }
    return -1;
  }
  function colourOf(layer, v) {
    var c = classOf(layer, v);
    return c < 0 ? layer.no_data_color : layer.classes[c].color;
  }
  function L10(t) { return t ? (FR ? t.fr : t.en) : ''; }

  function legend(el, layer) {
    el.textContent = '';
    var title = document.createElement('p');
    title.className = 'legend-title';
    title.textContent = L10(layer.title) + ' (' + L10(layer.unit) + ')';
    el.appendChild(title);
    var sub = document.createElement('p');
    sub.className = 'legend-date muted';
    sub.textContent = L10(layer.subtitle);
    el.appendChild(sub);
    var ul = document.createElement('ul');
    function item(colour, text) {
      var li = document.createElement('li'), sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = colour;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(text));
      ul.appendChild(li);
    }
    layer.classes.forEach(function (c) { item(c.color, L10(c.label)); });
    item(layer.no_data_color, L10(layer.no_data_label));
    el.appendChild(ul);
    var src = document.createElement('p');
    src.className = 'chart-source muted';
    src.textContent = L10(layer.source);
    el.appendChild(src);
  }

  var OVERSEAS = [['971', 'Guadeloupe'], ['972', 'Martinique'], ['973', 'Guyane'], ['974', 'La Réunion'], ['976', 'Mayotte']];

  function initMap(host) {
    if (!window.L || !host.dataset.geo) return;
    var section = host.closest('section');
    Promise.all([getJSON(host.dataset.map), getJSON(host.dataset.geo)]).then(function (res) {
      var data = res[0], geo = res[1];
      var layers = {};
      data.layers.forEach(function (l) { layers[l.id] = l; });
      var current = layers[host.dataset.layer] || data.layers[0];
      if (!current) return;
      host.hidden = false;
      var fallback = section.querySelector('.map-fallback');
      if (fallback) fallback.hidden = true;
      var switcher = section.querySelector('#map-layers');
      var legendEl = section.querySelector('#map-legend');
      var map = L.map(host, { zoomSnap: 0.25, attributionControl: true, keyboard: true, scrollWheelZoom: false });
      map.attributionControl.setPrefix('').addAttribution('Contours : IGN Admin Express / france-geojson, Licence Ouverte');
      var focus = host.dataset.focus || 'FR';
      function style(f) {
        var code = f.properties.code, d = data.departments[code];
        var v = current.values[code];
        var focused = focus.indexOf('DEP-') === 0 && d && d.key === focus;
        return { fillColor: colourOf(current, v), fillOpacity: 0.9, color: focused ? '#000091' : '#fff', weight: focused ? 3 : 1 };
      }
      var byCode = {};
      var gj = L.geoJSON(geo, {
        style: style,
        onEachFeature: function (f, lyr) {
          var code = f.properties.code;
          byCode[code] = lyr;
          lyr.bindTooltip(function () {
            var v = current.values[code];
            return (f.properties.nom || code) + (FR ? '\u00a0: ' : ': ') + fmtFixed(v, current.decimals) + ' ' + L10(current.unit);
          }, { sticky: true });
          lyr.on('click', function () {
            var d = data.departments[code];
            var a = d && document.querySelector('a[data-dep="' + d.key + '"]');
            if (a) location.href = a.href;
          });
        }
      }).addTo(map);
      var bounds = null;
      gj.eachLayer(function (lyr) {
        var code = lyr.feature.properties.code, d = data.departments[code];
        var want = focus === 'FR' ? code.length === 2 : d && (d.key === focus || host.dataset.members && host.dataset.members.split(' ').indexOf(d.key) >= 0);
        if (want) bounds = bounds ? bounds.extend(lyr.getBounds()) : L.latLngBounds(lyr.getBounds().getSouthWest(), lyr.getBounds().getNorthEast());
      });
      var home = bounds || gj.getBounds();
      map.fitBounds(home, { padding: [8, 8] });
      // Overseas departments are far from the mainland: one button each, and one back.
      var nav = document.createElement('p');
      nav.className = 'map-overseas';
      nav.appendChild(document.createTextNode(t('Outre-mer : ', 'Overseas: ')));
      function jump(label, target) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'link';
        b.textContent = label;
        b.addEventListener('click', function () { map.fitBounds(target(), { padding: [8, 8] }); });
        nav.appendChild(b);
      }
      OVERSEAS.forEach(function (o) { if (byCode[o[0]]) jump(o[1], function () { return byCode[o[0]].getBounds(); }); });
      jump(t('Retour', 'Back'), function () { return home; });
      if (nav.querySelectorAll('button').length > 1) host.parentNode.insertBefore(nav, host.nextSibling);
      legend(legendEl, current);
      host.dataset.ready = '1';
      host.dataset.layer = current.id;
      if (switcher) {
        switcher.hidden = false;
        switcher.addEventListener('change', function (ev) {
          if (!ev.target || ev.target.name !== 'layer' || !layers[ev.target.value]) return;
          current = layers[ev.target.value];
          gj.setStyle(style);
          legend(legendEl, current);
          host.dataset.layer = current.id;
        });
      }
    }).catch(function (e) { console.warn('map unavailable:', e.message); });
  }

  // ---------------------------------------------------------------- charts
  // Each interactive chart is drawn from the build's chart spec (charts/<T>/<id>.json, schema
  // vigie.chart.v1), the same document the SVG was rendered from: same series in the same
  // order, labels, colours, unit, thresholds and source line.
  var PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00'];
  var FR_MONTHS_LONG = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
  var FR_MONTHS_SHORT = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
  var FR_WEEKDAYS_LONG = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
  var FR_WEEKDAYS_SHORT = ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'];
  function isoToSec(iso) {
    return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 1000;
  }
  function dayLabel(sec) {
    var d = new Date(sec * 1000);
    var dd = d.getUTCDate(), mm = d.getUTCMonth() + 1, y = d.getUTCFullYear();
    return FR ? (dd < 10 ? '0' : '') + dd + '/' + (mm < 10 ? '0' : '') + mm + '/' + y
      : d.getUTCDate() + ' ' + ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()] + ' ' + y;
  }
  function withAlpha(hex, a) {
    var m = /^#([0-9a-f]{6})$/i.exec(hex || '');
    if (!m) return hex;
    var n = parseInt(m[1], 16);
    return 'rgba(' + (n >> 16 & 255) + ',' + (n >> 8 & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  // Axis ticks: "sept. 2021" at month starts on a French page, with the year whenever the axis
  // spans more than one year.
  function xTicks(u, splits) {
    var range = u.scales.x.max - u.scales.x.min;
    var months = FR ? FR_MONTHS_SHORT : ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    // Month labels: a month is named once (weekly axes split twice a month).
    var prev = '';
    return splits.map(function (s, i) {
      var d = new Date(s * 1000), m = d.getUTCMonth(), y = d.getUTCFullYear();
      if (range < 86400 * 62) return d.getUTCDate() + ' ' + months[m];
      var key = y + '-' + m;
      if (key === prev) return '';
      var first = prev === '';
      prev = key;
      return months[m] + (first || m === 0 ? ' ' + y : '');
    });
  }
  // Room for one x label (« janv. 2022 » is the widest): uPlot skips splits closer than this.
  function xSpace(u) {
    if (!u.axes[0].font) return 72;
    u.ctx.save();
    u.ctx.font = u.axes[0].font[0];
    var w = u.ctx.measureText(FR ? 'janv. 2022' : 'Sep 2022').width / (window.devicePixelRatio || 1);
    u.ctx.restore();
    return Math.ceil(w) + 16;
  }
  function axisSize(self, values, axisIdx, cycleNum) {
    var axis = self.axes[axisIdx];
    if (cycleNum > 1) return axis._size;
    var size = axis.ticks.size + axis.gap;
    var longest = (values || []).reduce(function (acc, v) { return v && v.length > acc.length ? v : acc; }, '');
    if (longest !== '') {
      self.ctx.font = axis.font[0];
      size += self.ctx.measureText(longest).width / (window.devicePixelRatio || 1);
    }
    return Math.ceil(size) + 4;
  }
  function thresholdPlugin(spec) {
    return {
      hooks: {
        draw: [function (u) {
          if (!spec.thresholds || !spec.thresholds.length) return;
          var ctx = u.ctx, dpr = window.devicePixelRatio || 1;
          var placed = [];
          ctx.save();
          ctx.font = Math.round(11 * dpr) + 'px system-ui, sans-serif';
          ctx.textBaseline = 'bottom';
          ctx.textAlign = 'left';
          // Lines first; then labels from the top down, each at least a line of text below the
          // previous one (as in the SVG), so close thresholds (50 and 75) never overlap.
          var items = [];
          spec.thresholds.forEach(function (th) {
            var y = Math.round(u.valToPos(th.value, 'y', true));
            if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
            ctx.strokeStyle = '#b34000';
            ctx.setLineDash([4 * dpr, 4 * dpr]);
            ctx.lineWidth = dpr;
            ctx.beginPath();
            ctx.moveTo(u.bbox.left, y);
            ctx.lineTo(u.bbox.left + u.bbox.width, y);
            ctx.stroke();
            items.push({ y: y, label: L10(th.label) });
          });
          items.sort(function (a, b) { return a.y - b.y; });
          var gap = 13 * dpr, prev = -Infinity;
          items.forEach(function (it) {
            var ly = Math.max(it.y - 2 * dpr, prev + gap, u.bbox.top + gap);
            prev = ly;
            placed.push(ly);
            // A white halo keeps the label readable over the lines and the curve.
            ctx.setLineDash([]);
            ctx.strokeStyle = '#fff';
            ctx.lineWidth = 3 * dpr;
            ctx.lineJoin = 'round';
            ctx.strokeText(it.label, u.bbox.left + 4 * dpr, ly);
            ctx.fillStyle = '#5c2400';
            ctx.fillText(it.label, u.bbox.left + 4 * dpr, ly);
          });
          ctx.restore();
        }]
      }
    };
  }
  function chartOptions(spec, width, log) {
    var d = spec.decimals || 0;
    var series = [{
      label: t('Date', 'Date'),
      value: function (u, v) { return v === null || v === undefined ? '—' : dayLabel(v); }
    }];
    spec.series.forEach(function (s) {
      var o = {
        label: L10(s.label),
        stroke: s.color,
        width: s.kind === 'bars' ? 1 : 2,
        value: (function (sd) { return function (u, v) { return fmtFixed(v, sd); }; })(s.decimals === undefined || s.decimals === null ? d : s.decimals),
        spanGaps: false
      };
      // A series published every `cadence` days (weekly deliveries) is one line, as in the SVG:
      // only gaps longer than its cadence break it.
      var cadence = 0, prev = -1;
      s.values.forEach(function (v, i) {
        if (v === null || v === undefined) return;
        if (prev >= 0 && (cadence === 0 || i - prev < cadence)) cadence = i - prev;
        prev = i;
      });
      if (cadence > 1) {
        o.gaps = function (u, sidx, idx0, idx1, nullGaps) {
          var xs = u.data[0];
          if (!nullGaps || xs.length < 2) return nullGaps;
          var day = Math.abs(u.valToPos(xs[1], 'x', true) - u.valToPos(xs[0], 'x', true));
          return nullGaps.filter(function (g) { return Math.abs(g[1] - g[0]) > (cadence + 0.5) * day; });
        };
      }
      if (s.dashed) o.dash = [6, 4];
      if (s.kind === 'area') o.fill = withAlpha(s.color, 0.18);
      if (s.kind === 'bars' && window.uPlot.paths && window.uPlot.paths.bars) {
        o.paths = window.uPlot.paths.bars({ size: [0.8, 8] });
        o.fill = withAlpha(s.color, 0.7);
        o.points = { show: false };
      }
      series.push(o);
    });
    var yRange = spec.y_min_zero ? function (u, min, max) {
      var lo = Math.min(0, min), hi = max;
      (spec.thresholds || []).forEach(function (th) { if (th.value > hi && th.value < max * 1.5) hi = th.value; });
      return [lo, hi > lo ? hi * 1.05 : lo + 1];
    } : function (u, min, max) {
      (spec.thresholds || []).forEach(function (th) { if (th.value < min) min = th.value; if (th.value > max) max = th.value; });
      var pad = (max - min) * 0.05 || 1;
      return [min - pad, max + pad];
    };
    var yScale = { range: yRange };
    if (log) yScale = { distr: 3, log: 10 };
    return {
      width: width, height: Math.max(220, Math.round(width * 0.5)),
      series: series,
      scales: { x: { time: true }, y: yScale },
      axes: [
        { values: xTicks, size: 36, space: xSpace },
        // A log axis passes null for the splits it leaves unlabelled.
        { values: function (u, vs) { return vs.map(function (v) { return v === null || v === undefined ? '' : fmt(v, d > 0 && Math.abs(v) < 10 ? d : 0); }); }, size: axisSize }
      ],
      fmtDate: function (tpl) {
        return window.uPlot.fmtDate(tpl, FR ? { MMMM: FR_MONTHS_LONG, MMM: FR_MONTHS_SHORT, WWWW: FR_WEEKDAYS_LONG, WWW: FR_WEEKDAYS_SHORT } : undefined);
      },
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      legend: { live: true },
      plugins: [thresholdPlugin(spec)]
    };
  }
  // A logarithmic axis has no zero or negative values: they are not drawn.
  function chartData(spec, log) {
    var a = isoToSec(spec.start), b = isoToSec(spec.end), step = 86400 * (spec.step_days || 1);
    var xs = [];
    for (var x = a; x <= b; x += step) xs.push(x);
    var cols = [xs];
    spec.series.forEach(function (s) {
      var vs = s.values.slice(0, xs.length);
      if (log) vs = vs.map(function (v) { return v !== null && v !== undefined && v > 0 ? v : null; });
      cols.push(vs);
    });
    return cols;
  }
  function initChart(fig) {
    if (!window.uPlot || !fig.dataset.spec) return;
    getJSON(fig.dataset.spec).then(function (spec) {
      if (spec.kind !== 'time' || !spec.series || !spec.series.length) return;
      var box = document.createElement('div');
      box.className = 'uplot-box';
      box.setAttribute('role', 'img');
      box.setAttribute('aria-label', L10(spec.title));
      var head = document.createElement('div');
      head.className = 'chart-head';
      var title = document.createElement('p');
      title.className = 'chart-title';
      title.textContent = L10(spec.title);
      head.appendChild(title);
      if (spec.unit) {
        var unit = document.createElement('p');
        unit.className = 'chart-unit muted';
        unit.textContent = L10(spec.unit);
        head.appendChild(unit);
      }
      var src = document.createElement('p');
      src.className = 'chart-source muted';
      src.textContent = L10(spec.source);
      var img = fig.querySelector('img');
      fig.insertBefore(src, img ? img.nextSibling : fig.firstChild);
      fig.insertBefore(box, src);
      fig.insertBefore(head, box);
      var width = Math.max(260, (box.clientWidth || fig.clientWidth || 600));
      var scaleHost = fig.closest('[data-scale]');
      var log = !!scaleHost && scaleHost.dataset.scale === 'log';
      var u = new window.uPlot(chartOptions(spec, width, log), chartData(spec, log), box);
      var staticLegend = scaleHost && scaleHost.parentNode.querySelector('.compare-legend');
      if (staticLegend) staticLegend.hidden = true;
      fig.vigieChart = u;
      if (img) img.hidden = true;
      fig.dataset.enhanced = '1';
      if (window.ResizeObserver) {
        new ResizeObserver(function () {
          var w = Math.max(260, box.clientWidth);
          if (Math.abs(w - u.width) > 4) u.setSize({ width: w, height: Math.max(220, Math.round(w * 0.5)) });
        }).observe(box);
      }
    }).catch(function (e) { console.warn('chart unavailable:', e.message); });
  }


  // ---------------------------------------------------------------- world map
  // The choropleth document (/api/v1/world/map/<source>/<indicator>) is a vigie.map.v1 spec
  // keyed by territory (ISO-FRA) with the date of each value; the outlines are world-atlas
  // (Natural Earth) features whose `key` is the same territory key.
  function initWorldMap(host) {
    if (!window.L || !host.dataset.geo) return;
    Promise.all([getJSON(host.dataset.map), getJSON(host.dataset.geo)]).then(function (res) {
      var doc = res[0], geo = res[1], layer = doc.map;
      host.hidden = false;
      var map = L.map(host, { zoomSnap: 0.25, minZoom: 0, attributionControl: true, keyboard: true, scrollWheelZoom: false, worldCopyJump: false });
      map.attributionControl.setPrefix('').addAttribution('Natural Earth (world-atlas 2.0.2)');
      var coloured = 0;
      var gj = L.geoJSON(geo, {
        style: function (f) {
          var v = layer.values[f.properties.key];
          return { fillColor: colourOf(layer, v), fillOpacity: 0.9, color: '#fff', weight: 0.6 };
        },
        onEachFeature: function (f, lyr) {
          var key = f.properties.key;
          var v = layer.values[key];
          if (v !== undefined && v !== null) coloured++;
          lyr.bindTooltip(function () {
            var name = (FR ? f.properties.name_fr : f.properties.name_en) || key;
            if (v === undefined || v === null) return name + (FR ? '\u00a0: ' : ': ') + L10(layer.no_data_label);
            var d = doc.dates[key];
            return name + (FR ? '\u00a0: ' : ': ') + fmtFixed(v, layer.decimals) + ' ' + L10(layer.unit) + (d ? (FR ? ', au ' : ', on ') + dayLabel(isoToSec(d)) : '');
          }, { sticky: true });
          lyr.on('click', function () {
            var a = document.querySelector('#world-ranking tr[data-key="' + key + '"] a');
            if (a) location.href = a.href;
          });
        }
      }).addTo(map);
      map.fitBounds([[-56, -168], [75, 180]]);
      host.dataset.coloured = String(coloured);
      host.dataset.enhanced = '1';
      var legendEl = document.getElementById('world-map-legend');
      if (legendEl) {
        legend(legendEl, layer);
        // The indicator's label already names its unit (« … par million d'habitants »).
        var title = legendEl.querySelector('.legend-title');
        if (title && /million|100/.test(L10(layer.title))) title.textContent = L10(layer.title);
      }
      void gj;
    }).catch(function (e) { console.warn('world map unavailable:', e.message); });
  }

  // The comparison form: the ranking's checkboxes edit the list of codes, and the query is
  // written with commas (`pays=FRA,DEU,ITA`), at most eight countries.
  function initWorldForm(form) {
    var input = document.getElementById('world-countries');
    if (!input) return;
    function codes() {
      return input.value.toUpperCase().split(/[\s,;]+/).filter(function (c) { return /^[A-Z]{3}$/.test(c); });
    }
    document.querySelectorAll('#world-ranking .pick').forEach(function (c) { c.hidden = false; });
    document.querySelectorAll('#world-ranking .pick input').forEach(function (box) {
      box.addEventListener('change', function () {
        var list = codes().filter(function (c) { return c !== box.value; });
        if (box.checked) list.push(box.value);
        input.value = list.slice(0, 8).join(',');
      });
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      // The server's order: countries, indicator, scale, source.
      var parts = [];
      ['world-countries', 'world-indicator', 'world-scale', 'world-source'].forEach(function (id) {
        var el = document.getElementById(id);
        if (!el || !el.name) return;
        var v = el === input ? codes().slice(0, 8).join(',') : el.value;
        parts.push(encodeURIComponent(el.name) + '=' + encodeURIComponent(v).replace(/%2C/g, ','));
      });
      location.href = form.getAttribute('action') + '?' + parts.join('&');
    });
    document.querySelectorAll('#compare-legend .swatch[data-color]').forEach(function (sw) { sw.style.background = sw.dataset.color; });
  }

  // ---------------------------------------------------------------- territory selector
  function initSelector(form) {
    form.addEventListener('submit', function (ev) {
      var sel = form.querySelector('select');
      var opt = sel && sel.options[sel.selectedIndex];
      if (opt && opt.dataset.href) { ev.preventDefault(); location.href = opt.dataset.href; }
    });
  }

  // ---------------------------------------------------------------- slot finder
  var FR_DAYS = ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'];
  var EN_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  var FR_MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
  var EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  // Same wording as the server (pages.rs): the wall clock of the centre's own time zone.
  function shortDay(iso) {
    var y = +iso.slice(0, 4), m = +iso.slice(5, 7), d = +iso.slice(8, 10);
    if (!y || !m || !d) return iso;
    var w = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    return FR ? FR_DAYS[w] + ' ' + d + ' ' + FR_MONTHS[m - 1] : EN_DAYS[w] + ' ' + d + ' ' + EN_MONTHS[m - 1];
  }
  function slotTime(iso) {
    if (!iso || iso.length < 16) return '';
    return shortDay(iso) + ' ' + t('à', 'at') + ' ' + iso.slice(11, 16);
  }
  function dist1(km) { return km < 10 ? (FR ? km.toFixed(1).replace('.', ',') : km.toFixed(1)) : fmt(Math.round(km), 0); }
  function phoneDisplay(p) {
    var digits = p.replace(/\D/g, '');
    if (p.charAt(0) === '+' && digits.indexOf('33') === 0 && digits.length === 11) digits = '0' + digits.slice(2);
    else if (!(digits.length === 10 && digits.charAt(0) === '0')) return p;
    return digits.match(/../g).join(' ');
  }
  function slotsLabel(n) {
    if (n === 1) return t('1 créneau', '1 slot');
    return fmt(n, 0) + ' ' + t('créneaux', 'slots');
  }
  // « 0 créneau », « 2 lieux » (French: singular below 2; English: singular for 1), as the
  // server's fmt::plural.
  function plural(n, one, many) {
    return fmt(n, 0) + ' ' + ((FR ? n < 2 : n === 1) ? one : many);
  }
  // The count line of a search, the same sentence as the server's i18n::slot_count_line.
  function countLine(slots, withN, places, unknown) {
    var line = FR
      ? plural(slots, 'créneau', 'créneaux') + ' dans ' + plural(withN, 'lieu', 'lieux') + ' sur ' + fmt(places, 0) + ' ' + (places < 2 ? 'trouvé' : 'trouvés') + '.'
      : plural(slots, 'slot', 'slots') + ' in ' + plural(withN, 'place', 'places') + ' out of ' + fmt(places, 0) + ' found.';
    if (unknown > 0) line += FR ? ' Disponibilités inconnues pour ' + plural(unknown, 'lieu', 'lieux') + '.' : ' Availability unknown for ' + plural(unknown, 'place', 'places') + '.';
    return line;
  }
  function ageText(generated) {
    var min = Math.max(0, Math.floor((Date.now() - Date.parse(generated)) / 60000));
    if (!isFinite(min)) return '';
    if (min < 60) return t('mis à jour il y a ' + min + ' min', 'updated ' + min + ' min ago');
    var h = Math.floor(min / 60), mm = ('0' + (min % 60)).slice(-2);
    return t('mis à jour il y a ' + h + ' h ' + mm + ' min', 'updated ' + h + ' h ' + mm + ' min ago');
  }
  // Accent and case folding of vigie-finder (text.rs): lower-case ASCII words, st → saint.
  function fold(s) {
    var raw = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/æ/gi, 'ae').replace(/œ/gi, 'oe').toLowerCase();
    return raw.split(/[^a-z0-9]+/).filter(Boolean).map(function (w) { return w === 'st' ? 'saint' : w === 'ste' ? 'sainte' : w; }).join(' ');
  }
  function haversine(la1, lo1, la2, lo2) {
    var r = Math.PI / 180, dla = (la2 - la1) * r, dlo = (lo2 - lo1) * r;
    var a = Math.sin(dla / 2) * Math.sin(dla / 2) + Math.cos(la1 * r) * Math.cos(la2 * r) * Math.sin(dlo / 2) * Math.sin(dlo / 2);
    return 2 * 6371.0 * Math.asin(Math.min(1, Math.sqrt(a)));
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The search in the browser over the static export's files (docs/slots-api.md).
  function StaticFinder(form) {
    var statusUrl = new URL(form.dataset.status, location.href).href;
    var indexUrl = new URL(form.dataset.index, location.href).href;
    var depUrl = function (d) { return new URL('departments/' + d + '.json', statusUrl).href; };
    var placesUrl = function (k) { return new URL('../places/' + k + '.json', statusUrl).href; };
    this.status = function () { return getJSON(statusUrl); };
    this.places = function (q) {
      var f = fold(q), key = f.replace(/ /g, '').slice(0, 2), raw = q.trim().toUpperCase();
      if (key.length < 2) return Promise.resolve([]);
      return getJSON(placesUrl(key)).then(function (all) {
        var fq = f.replace(/ /g, '');
        var hits = all.filter(function (p) {
          var name = fold(p.label.replace(/\s*\(.*$/, '')).replace(/ /g, '');
          return p.code.toUpperCase().indexOf(raw) === 0 || name.indexOf(fq) === 0 || (p.kind === 'postcode' && p.code.indexOf(fq) === 0);
        });
        // Exact matches first, then the file's order (departments, postcodes, communes by population).
        hits.sort(function (a, b) {
          var ea = fold(a.label.replace(/\s*\(.*$/, '')).replace(/ /g, '') === fq || a.code.toUpperCase() === raw;
          var eb = fold(b.label.replace(/\s*\(.*$/, '')).replace(/ /g, '') === fq || b.code.toUpperCase() === raw;
          return (eb ? 1 : 0) - (ea ? 1 : 0);
        });
        return hits.slice(0, 8);
      }, function () { return []; });
    };
    this.search = function (place, p) {
      return Promise.all([getJSON(indexUrl), getJSON(statusUrl)]).then(function (r) {
        var index = r[0], status = r[1], radius = +p.radius_km || 50, tag = p.tag || 'all';
        var deps = {};
        if (place.kind === 'department') deps[place.code] = 1;
        else {
          (place.departments_near || [place.department]).forEach(function (d) { if (d) deps[d] = 1; });
          Object.keys(index.departments).forEach(function (d) {
            var b = index.departments[d].bbox;
            if (!b) return;
            var la = Math.min(Math.max(place.latitude, b[0]), b[2]), lo = Math.min(Math.max(place.longitude, b[1]), b[3]);
            if (haversine(place.latitude, place.longitude, la, lo) <= radius + 1) deps[d] = 1;
          });
        }
        var names = Object.keys(deps).filter(function (d) { return index.departments[d] && index.departments[d].centres > 0; });
        return Promise.all(names.map(function (d) { return getJSON(depUrl(d)); })).then(function (files) {
          var hits = [];
          files.forEach(function (f) {
            f.centres.forEach(function (c) {
              var d = null;
              if (place.kind !== 'department') {
                if (typeof c.latitude !== 'number' || typeof c.longitude !== 'number') return;
                d = haversine(place.latitude, place.longitude, c.latitude, c.longitude);
                if (d > radius) return;
              }
              var total = 0, daily = (c.daily || []).map(function (x) {
                var n = x[tag] || 0; total += n; return { date: x.date, count: n };
              });
              var h = Object.assign({}, c, { distance_km: d === null ? null : Math.round(d * 10) / 10, matching_slots: total, daily_matching: daily, _d: d });
              hits.push(h);
            });
          });
          var byId = function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; };
          if (place.kind === 'department') {
            hits.sort(function (a, b) {
              var na = a.next_slot ? Date.parse(a.next_slot) : Infinity, nb = b.next_slot ? Date.parse(b.next_slot) : Infinity;
              return ((a.matching_slots === 0) - (b.matching_slots === 0)) || (na - nb) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || byId(a, b);
            });
          } else {
            hits.sort(function (a, b) { return ((a.matching_slots === 0) - (b.matching_slots === 0)) || (a._d - b._d) || byId(a, b); });
          }
          hits.forEach(function (h) { delete h._d; });
          var count = { centres: hits.length, centres_with_slots: 0, slots: 0 };
          hits.forEach(function (h) { if (h.matching_slots > 0) count.centres_with_slots++; count.slots += h.matching_slots; });
          return {
            query: { kind: place.kind, code: place.code, label: place.label, latitude: place.latitude, longitude: place.longitude, radius_km: place.kind === 'department' ? null : radius, tag: tag, from: null, to: null },
            generated_at: index.generated_at,
            stale_platforms: (status.platforms || []).filter(function (x) { return x.stale; }).map(function (x) { return { platform: x.platform, stale_since: x.stale_since }; }),
            days: index.days, count: count, centres: hits.slice(0, 100)
          };
        });
      });
    };
  }

  // The same through the live server's API.
  function ApiFinder(form) {
    function json(url) {
      return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) { return r.json(); });
    }
    this.status = function () { return json(form.dataset.status); };
    this.places = function (q) {
      return json(form.dataset.places + '?q=' + encodeURIComponent(q) + '&limit=8').then(function (d) { return Array.isArray(d) ? d : []; }, function () { return []; });
    };
    this.search = function (place, p) {
      var qs = [place.kind + '=' + encodeURIComponent(place.code)];
      if (p.tag) qs.push('tag=' + encodeURIComponent(p.tag));
      if (p.radius_km && place.kind !== 'department') qs.push('radius_km=' + encodeURIComponent(p.radius_km));
      return json(form.dataset.search + '?' + qs.join('&')).then(function (d) {
        if (d.error) throw new Error(d.error);
        return d;
      });
    };
  }

  function initSlots(form) {
    var input = form.querySelector('#slot-q'), list = form.querySelector('#slot-q-list');
    var commune = form.querySelector('#slot-commune'), postcode = form.querySelector('#slot-postcode'), department = form.querySelector('#slot-department');
    var tagEl = form.querySelector('#slot-tag'), radiusEl = form.querySelector('#slot-radius');
    var meta = document.getElementById('slot-meta'), results = document.getElementById('slot-results');
    var mapEl = document.getElementById('slot-map'), views = document.getElementById('slot-views');
    var daysEl = document.getElementById('slot-days');
    if (!input || !results || document.getElementById('slot-nodata')) return;
    var finder = form.dataset.mode === 'static' ? new StaticFinder(form) : new ApiFinder(form);
    var items = [], active = -1, timer = null, seq = 0, lastData = null, day = null, view = 'list', chosen = null;

    // Autocomplete (combobox with a listbox, keyboard: arrows, Enter, Escape).
    function close() { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; }
    function renderList() {
      list.textContent = '';
      items.forEach(function (p, i) {
        var li = el('li', '', p.label);
        li.id = 'slot-q-opt-' + i; li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', String(i === active));
        if (i === active) input.setAttribute('aria-activedescendant', li.id);
        li.addEventListener('mousedown', function (e) { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
    }
    function setPlace(p) {
      chosen = p;
      postcode.value = p.kind === 'postcode' ? p.code : '';
      department.value = p.kind === 'department' ? p.code : '';
      commune.value = p.kind === 'commune' ? p.code : '';
    }
    function pick(i) {
      var p = items[i]; if (!p) return;
      input.value = p.label;
      setPlace(p);
      close();
      search();
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      chosen = null; commune.value = '';
      var q = input.value.trim();
      if (q.length < 2) { items = []; renderList(); return; }
      timer = setTimeout(function () {
        finder.places(q).then(function (d) { items = d; active = -1; renderList(); });
      }, 120);
    });
    input.addEventListener('keydown', function (e) {
      if (list.hidden || !items.length) return;
      if (e.key === 'ArrowDown') { active = (active + 1) % items.length; renderList(); e.preventDefault(); }
      else if (e.key === 'ArrowUp') { active = (active - 1 + items.length) % items.length; renderList(); e.preventDefault(); }
      else if (e.key === 'Enter' && active >= 0) { pick(active); e.preventDefault(); }
      else if (e.key === 'Escape') { close(); e.preventDefault(); }
    });
    input.addEventListener('blur', function () { setTimeout(close, 150); });
    form.addEventListener('submit', function (e) { e.preventDefault(); close(); search(); });
    tagEl.addEventListener('change', function () { search(); });
    radiusEl.addEventListener('change', function () { search(); });

    // The place of the form: the one picked, or the first suggestion for the text typed.
    function place() {
      if (chosen) return Promise.resolve(chosen);
      var code = commune.value ? ['commune', commune.value] : postcode.value ? ['postcode', postcode.value] : department.value ? ['department', department.value] : null;
      var text = input.value.trim();
      if (code && form.dataset.mode !== 'static') return Promise.resolve({ kind: code[0], code: code[1], label: text });
      var q = text || (code && code[1]) || '';
      if (q.length < 2) return Promise.resolve(null);
      return finder.places(q).then(function (d) {
        var hit = d.filter(function (p) { return code && p.code === code[1]; })[0] || d[0] || null;
        if (hit) setPlace(hit);
        return hit;
      });
    }

    // Map view.
    var map = null, markers = null;
    function drawMap(centres) {
      if (!window.L || !mapEl || view !== 'map') return;
      mapEl.hidden = false;
      if (!map) {
        map = L.map(mapEl, { scrollWheelZoom: false });
        map.attributionControl.setPrefix('');
        markers = L.layerGroup().addTo(map);
        // Department outlines as the background (no tile server: nothing leaves the site).
        if (mapEl.dataset.geo) {
          getJSON(mapEl.dataset.geo).then(function (g) {
            L.geoJSON(g, { interactive: false, style: { color: '#888', weight: 1, fillColor: '#f3f3f3', fillOpacity: 1 } }).addTo(map).bringToBack();
            map.attributionControl.addAttribution('Contours : IGN Admin Express / france-geojson, Licence Ouverte');
          }).catch(function (e) { console.warn('outlines unavailable:', e.message); });
        }
      }
      map.invalidateSize();
      markers.clearLayers();
      var pts = [];
      centres.forEach(function (x) {
        var c = x.c;
        if (typeof c.latitude !== 'number' || typeof c.longitude !== 'number') return;
        pts.push([c.latitude, c.longitude]);
        L.circleMarker([c.latitude, c.longitude], { radius: 7, color: x.n > 0 ? '#18753c' : '#666', fillOpacity: 0.8 })
          .bindTooltip(c.name + ' — ' + (x.n > 0 ? slotsLabel(x.n) : c.status === 'error' ? t('disponibilités inconnues', 'availability unknown') : t('aucun créneau', 'no slot'))).addTo(markers);
      });
      if (pts.length) map.fitBounds(pts, { padding: [20, 20], maxZoom: 12 });
      mapEl.dataset.markers = String(pts.length);
    }
    function setView(v) {
      view = v;
      if (views) views.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.view === v)); });
      var ol = results.querySelector('ol.centres');
      if (ol) ol.hidden = v === 'map';
      if (v !== 'map' && mapEl) mapEl.hidden = true;
      draw();
    }
    if (views) {
      views.hidden = false;
      views.addEventListener('click', function (e) { var b = e.target.closest('button[data-view]'); if (b) setView(b.dataset.view); });
    }

    function count(c) {
      if (!day) return c.matching_slots || 0;
      var n = 0;
      (c.daily_matching || []).forEach(function (x) { if (x.date === day) n = x.count; });
      return n;
    }
    function showAge() {
      var a = document.getElementById('slot-age');
      if (a && a.dataset.generated) a.textContent = ageText(a.dataset.generated);
    }
    function drawMeta(d, status) {
      meta.textContent = '';
      var a = el('p', 'muted', ageText(d.generated_at));
      a.id = 'slot-age'; a.dataset.generated = d.generated_at;
      meta.appendChild(a);
      var stale = (d.stale_platforms || []).map(function (s) {
        var name = s.platform;
        ((status && status.platforms) || []).forEach(function (p) { if (p.platform === s.platform && p.name) name = p.name; });
        var since = s.stale_since ? slotTime(s.stale_since) : '—';
        return FR ? 'données de ' + name + ' datant de ' + since : name + ' data from ' + since;
      });
      if (stale.length) {
        var p = el('p', 'stale', t("Certaines plateformes n'ont pas pu être relues : ", 'Some platforms could not be read again: ') + stale.join(' ; ') + '.');
        p.id = 'slot-stale'; p.setAttribute('role', 'status');
        meta.appendChild(p);
      }
    }
    function drawDays(d) {
      if (!daysEl) return;
      daysEl.textContent = '';
      daysEl.hidden = !(d.days && d.days.length);
      daysEl.setAttribute('aria-label', t('Jour du rendez-vous', 'Day of the appointment'));
      [''].concat(d.days || []).forEach(function (x) {
        var n = 0;
        d.centres.forEach(function (c) {
          if (!x) n += c.matching_slots || 0;
          else (c.daily_matching || []).forEach(function (m) { if (m.date === x) n += m.count; });
        });
        var a = el('a', '', (x ? shortDay(x) : t('Tous les jours', 'All days')) + ' ');
        a.href = '#slot-results';
        a.dataset.day = x;
        if ((day || '') === x) a.setAttribute('aria-current', 'true');
        a.appendChild(el('span', 'n', fmt(n, 0)));
        daysEl.appendChild(a);
      });
    }
    if (daysEl) {
      daysEl.addEventListener('click', function (e) {
        var a = e.target.closest('a[data-day]');
        if (!a || !lastData) return;
        e.preventDefault();
        day = a.dataset.day || null;
        draw();
        var cur = daysEl.querySelector('a[data-day="' + (day || '') + '"]');
        if (cur) cur.focus();
      });
    }
    var serverLines = {};
    function draw() {
      var d = lastData; if (!d) return;
      drawDays(d);
      var rows = d.centres.map(function (c) { return { c: c, n: count(c) }; });
      if (day) rows = rows.slice().sort(function (a, b) { return (a.n === 0) - (b.n === 0); });
      // The server's contribution lines of each card (availability signals, « corrigée par un
      // contributeur »), kept on the redrawn cards: the search API does not carry them.
      results.querySelectorAll('li.centre[data-id]').forEach(function (li) {
        var kept = li.querySelectorAll('p.signal, p.contributed');
        if (kept.length) serverLines[li.dataset.id] = Array.prototype.map.call(kept, function (p) { return p.cloneNode(true); });
      });
      results.textContent = '';
      results.appendChild(el('h2', '', t('Résultats', 'Results') + (d.query && d.query.label ? ' — ' + d.query.label : '')));
      var withN = rows.filter(function (r) { return r.n > 0; }).length, total = 0;
      var unknown = rows.filter(function (r) { return r.n === 0 && r.c.status === 'error'; }).length;
      rows.forEach(function (r) { total += r.n; });
      results.appendChild(el('p', 'count', countLine(total, withN, rows.length, unknown)));
      var ol = el('ol', 'centres');
      rows.forEach(function (r) {
        var c = r.c, n = r.n;
        var li = el('li', 'centre');
        li.dataset.id = c.id; li.dataset.slots = String(n);
        if (typeof c.distance_km === 'number') li.dataset.distance = String(c.distance_km);
        li.appendChild(el('h3', '', c.name));
        var addr = el('p', 'addr', c.address || '');
        if (typeof c.distance_km === 'number') { addr.appendChild(document.createTextNode(' · ')); addr.appendChild(el('span', 'dist', dist1(c.distance_km) + '\u00a0km')); }
        li.appendChild(addr);
        var av;
        if (c.phone_only && n === 0) av = el('p', 'avail phone', t('Réservation par téléphone uniquement', 'Booking by phone only'));
        else if (n > 0) {
          av = el('p', 'avail yes');
          av.appendChild(el('strong', '', slotsLabel(n)));
          if (c.next_slot) av.appendChild(document.createTextNode(' · ' + t('prochain : ', 'next: ') + slotTime(c.next_slot)));
        } else if (c.status === 'error') av = el('p', 'avail unknown', t('Disponibilités inconnues : le dernier relevé de ce lieu a échoué', 'Availability unknown: the last scan of this place failed'));
        else av = el('p', 'avail no', t('Aucun créneau', 'No slot'));
        li.appendChild(av);
        if (c.status === 'stale' && c.stale_since) li.appendChild(el('p', 'muted', t('Données datant de ', 'Data from ') + slotTime(c.stale_since)));
        var actions = el('p', 'actions');
        if (typeof c.booking_url === 'string' && c.booking_url.indexOf('https://') === 0) {
          var a = el('a', 'book', t('Prendre rendez-vous', 'Book an appointment'));
          a.href = c.booking_url; a.target = '_blank'; a.rel = 'noopener';
          actions.appendChild(a);
        }
        if (typeof c.phone === 'string' && /^[0-9+ .]+$/.test(c.phone)) {
          var tel = el('a', 'tel', phoneDisplay(c.phone));
          tel.href = 'tel:' + c.phone.replace(/[ .]/g, '');
          if (actions.firstChild) actions.appendChild(document.createTextNode(' '));
          actions.appendChild(tel);
        }
        (serverLines[c.id] || []).forEach(function (p) { li.appendChild(p.cloneNode(true)); });
        if (actions.firstChild) li.appendChild(actions);
        // « Signaler »: only where the server's page offers contributions (not the static export).
        if (form.dataset.report) {
          var rep = el('p', 'report'), ra = el('a', '', form.dataset.reportText || t('Signaler', 'Report'));
          ra.href = form.dataset.report + '?centre_id=' + encodeURIComponent(c.id);
          if (form.dataset.reportLabel) ra.setAttribute('aria-label', form.dataset.reportLabel + ' : ' + c.name);
          rep.appendChild(ra);
          li.appendChild(rep);
        }
        ol.appendChild(li);
      });
      ol.hidden = view === 'map';
      results.appendChild(ol);
      results.dataset.ready = '1';
      results.dataset.tag = (d.query && d.query.tag) || 'all';
      results.dataset.day = day || '';
      drawMap(rows);
    }
    function search() {
      var my = ++seq;
      return place().then(function (p) {
        if (!p || my !== seq) return;
        var params = { tag: tagEl.value, radius_km: radiusEl.value };
        return Promise.all([finder.search(p, params), finder.status().catch(function () { return null; })]).then(function (r) {
          if (my !== seq) return;
          lastData = r[0];
          if (day && (lastData.days || []).indexOf(day) < 0) day = null;
          drawMeta(lastData, r[1]);
          draw();
          var qs = 'q=' + encodeURIComponent(input.value) + '&' + p.kind + '=' + encodeURIComponent(p.code) + '&tag=' + encodeURIComponent(params.tag) + '&radius_km=' + encodeURIComponent(params.radius_km) + (day ? '&day=' + day : '');
          try { if (history.replaceState) history.replaceState(null, '', '?' + qs); } catch (e) { /* file:// */ }
        });
      }).catch(function (e) {
        if (my !== seq) return;
        results.textContent = '';
        var p = el('p', 'stale', e.message); p.setAttribute('role', 'alert');
        results.appendChild(p);
      });
    }

    // Start from the URL (links and reloads keep the search), then refresh on a newer scan.
    var params = new URLSearchParams(location.search);
    if (params.get('day')) day = params.get('day');
    if (form.dataset.mode === 'static') {
      if (params.get('q')) input.value = params.get('q');
      if (params.get('tag')) tagEl.value = params.get('tag');
      if (params.get('radius_km')) radiusEl.value = params.get('radius_km');
      finder.status().then(function () { if (input.value.trim()) search(); }, function () {
        results.textContent = '';
        var p = el('p', 'notice', t("Cette copie du site n'a pas de données de créneaux.", 'This copy of the site has no slot data.'));
        p.id = 'slot-nodata';
        results.appendChild(p);
      });
    } else if (commune.value || postcode.value || department.value || input.value.trim()) {
      search();
    }
    setInterval(function () {
      showAge();
      if (form.dataset.mode === 'static' || !lastData) return;
      finder.status().then(function (s) {
        if (s && s.generated_at && s.generated_at !== lastData.generated_at) search();
      }).catch(function () {});
    }, 60000);
  }

  // ---------------------------------------------------------------- slot history (statistics)
  function initHistory(fig) {
    if (!window.uPlot) return;
    getJSON(fig.dataset.history).then(function (points) {
      if (!Array.isArray(points) || points.length < 2) return;
      var xs = [], slots = [], places = [];
      points.forEach(function (p) { xs.push(Date.parse(p.time) / 1000); slots.push(p.slots); places.push(p.centres_with_slots); });
      var box = el('div', 'uplot-box');
      box.setAttribute('role', 'img');
      box.setAttribute('aria-label', t('Créneaux au fil du temps (le tableau ci-dessous donne les valeurs)', 'Slots over time (the table below gives the values)'));
      fig.insertBefore(box, fig.firstChild);
      var width = Math.max(280, fig.clientWidth || 600);
      new uPlot({
        width: width, height: Math.round(width * 0.45),
        scales: { x: { time: true }, s: {}, c: {} },
        series: [{ label: t('Heure', 'Time'), value: function (u, v) { return v === null || v === undefined ? '—' : new Date(v * 1000).toLocaleString(FR ? 'fr-FR' : 'en-GB', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' }); } },
          { label: t('Créneaux', 'Slots'), scale: 's', stroke: PALETTE[0], width: 2, value: function (u, v) { return fmt(v, 0); } },
          { label: t('Lieux avec des créneaux', 'Places with slots'), scale: 'c', stroke: PALETTE[1], width: 2, value: function (u, v) { return fmt(v, 0); } }],
        axes: [{}, { scale: 's', values: function (u, vs) { return vs.map(function (v) { return fmt(v, 0); }); } },
          { scale: 'c', side: 1, grid: { show: false }, values: function (u, vs) { return vs.map(function (v) { return fmt(v, 0); }); } }],
        fmtDate: function (tpl) {
          return window.uPlot.fmtDate(tpl, FR ? { MMMM: FR_MONTHS_LONG, MMM: FR_MONTHS_SHORT, WWWW: FR_WEEKDAYS_LONG, WWW: FR_WEEKDAYS_SHORT } : undefined);
        },
        tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), 'Europe/Paris'); }
      }, [xs, slots, places], box);
      fig.dataset.enhanced = '1';
    }).catch(function (e) { console.warn('slot history unavailable:', e.message); });
  }

  function init() {
    var host = document.getElementById('map');
    if (host) initMap(host);
    var world = document.getElementById('world-map');
    if (world) initWorldMap(world);
    var wform = document.getElementById('world-form');
    if (wform) initWorldForm(wform);
    var figs = document.querySelectorAll('figure.chart[data-spec]');
    if ('IntersectionObserver' in window) {
      var io = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) { if (e.isIntersecting) { io.unobserve(e.target); initChart(e.target); } });
      }, { rootMargin: '200px' });
      figs.forEach(function (f) { io.observe(f); });
    } else {
      figs.forEach(initChart);
    }
    document.querySelectorAll('form[data-nav]').forEach(initSelector);
    var slot = document.getElementById('slot-form');
    if (slot) initSlots(slot);
    document.querySelectorAll('figure[data-history]').forEach(initHistory);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
