// Citizen contributions (issue 14): from a centre card of the slot finder to the private
// status page with the keyboard only, on a phone; a form sent with a required field empty; a
// moderator's login, queue, item page and decision; the public register, its Atom feed and its
// CSV (no e-mail address anywhere, contributed text escaped, never run); the KPI cards'
// « Signaler » link; the privacy page; screenshots (phone and desktop) of every page.
// Run by .ci/browser.sh on `vigie serve --demo`, which creates a moderator and passes
// VIGIE_MOD_NAME, VIGIE_MOD_PASSWORD (and VIGIE_MOD_TOKEN).
//
// Submissions are rate-limited per client (5 at once, then 1 a minute, the JSON API included):
// these tests send 3 (4 when the first test failed before sending its contribution).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BASE, ART, PHONE, DESKTOP, launch, open, axe, soft } from './common.mjs';

const MOD_NAME = process.env.VIGIE_MOD_NAME || '';
const MOD_PASSWORD = process.env.VIGIE_MOD_PASSWORD || '';
const MOD_TOKEN = process.env.VIGIE_MOD_TOKEN || '';
const NO_MOD = !MOD_PASSWORD && 'VIGIE_MOD_PASSWORD not set (see .ci/browser.sh)';
const EMAIL = 'test@example.org';
// A French citizen's browser (Accept-Language, navigator.language, Paris time).
const FR = { locale: 'fr-FR', timezoneId: 'Europe/Paris' };
const ANY_EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/;
// The form token must be at least 3 s old when the form is sent.
const FORM_DELAY_MS = 3500;
// A contributed name that would run if it were not escaped.
const XSS_NAME = '<script>window.__vigieXss = 1; alert("xss")</script><img src="x" onerror="window.__vigieXss = 2">Centre éphémère';

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

// What the first test leaves for the moderation test.
const shared = { id: null, centreId: null, centreName: null };

// Text with French no-break spaces (before « : ? ! ; », inside « ») read as plain spaces.
const norm = (t) => String(t ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();

// French spacing of the page's own words: never a breaking space before « : ; ? ! » » or after
// « « » (a phone would break the line there). Returns the offending snippets of `main`.
async function breakingSpaces(page) {
  return page.evaluate(() => {
    const bad = [];
    const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    let text = '';
    for (let n = walk.nextNode(); n; n = walk.nextNode()) text += n.textContent;
    for (const m of text.matchAll(/\S.{0,20}( [:;?!»]|« )/g)) bad.push(m[0]);
    return bad;
  });
}

// Presses Tab until the focused element matches `selector` (and has the text `text`); the
// focused elements on the way are returned too. Fails after `max` presses.
async function tabTo(page, selector, text = null, max = 150) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const a = await page.evaluate(([sel, txt]) => {
      const e = document.activeElement;
      if (!e || e === document.body) return { hit: false, what: 'body' };
      const label = (e.textContent || '').trim();
      return {
        hit: e.matches(sel) && (txt === null || label === txt),
        what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.getAttribute('name') ? `[name=${e.getAttribute('name')}]` : ''),
        text: label.slice(0, 80),
      };
    }, [selector, text]);
    seen.push(a.what);
    if (a.hit) return { presses: i + 1, seen, text: a.text };
  }
  throw new Error(`${selector} ${text || ''} not reached in ${max} Tab presses: ${seen.slice(-10).join(', ')}`);
}

// Whether the focused element shows a visible focus indicator.
async function focusVisible(page) {
  return page.evaluate(() => {
    const st = getComputedStyle(document.activeElement);
    return st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2;
  });
}

// Phone (full page) and desktop screenshots of the page as it is; no sideways scrolling on the
// phone. The viewport is set back afterwards.
async function shots(page, name, s) {
  const vp = page.viewportSize();
  for (const [size, v] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewportSize(v);
    await page.waitForTimeout(120);
    if (size === 'phone') {
      const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      s.ok(sw <= iw, `${name} at 390 px: scrollWidth ${sw} > ${iw}`);
      // Nothing hidden in a sideways scroller either (the tables).
      const hidden = await page.$$eval('.table-wrap', (ws) => ws.filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => `${w.scrollWidth} > ${w.clientWidth}`));
      s.deepEqual(hidden, [], `${name} at 390 px: tables wider than the screen`);
      s.deepEqual(await axe(page), [], `axe: ${name} at 390 px`);
    }
    await page.screenshot({ path: path.join(ART, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(vp);
}

// The `dt` → `dd` pairs of a `dl.facts` (the first one matching `selector`).
async function facts(page, selector = 'dl.facts') {
  return page.$eval(selector, (dl) => {
    const out = {};
    for (const dt of dl.querySelectorAll('dt')) out[dt.textContent.trim()] = dt.nextElementSibling.textContent.trim();
    return out;
  }).then((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [norm(k), norm(v)])));
}

// Errors of `open()` minus the expected error answers (`400 …/contribuer`, …) and the console
// line Chromium writes for each of them.
const unexpected = (errors, allowed = []) => errors.filter((e) => !allowed.some((re) => re.test(e)));

async function apiSubmit(body) {
  const r = await fetch(BASE + '/api/v1/contributions', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.equal(r.status, 202, `POST /api/v1/contributions: ${r.status} ${text}`);
  return JSON.parse(text);
}

// A minimal CSV reader (quoted fields, doubled quotes, line breaks inside quotes).
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else if (c !== '\r') cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

test('centre card → « Signaler » → availability report, keyboard only on a phone: status page « Merci ! », pending, C-nnnnnn', async () => {
  const s = soft(assert);
  const { page, context, errors } = await open(browser, BASE + '/rendez-vous?commune=07186', PHONE, null, FR);
  // The script searches again and redraws the cards: they keep their « Signaler » link.
  await page.waitForSelector('#slot-results[data-ready="1"] li.centre', { timeout: 15000 });
  const cards = await page.$$eval('#slot-results li.centre', (ls) => ls.map((l) => ({
    id: l.dataset.id, name: l.querySelector('h3').textContent.trim(),
    href: l.querySelector('p.report a')?.getAttribute('href'), label: l.querySelector('p.report a')?.getAttribute('aria-label'),
    text: l.querySelector('p.report a')?.textContent,
  })));
  s.ok(cards.length >= 3, `${cards.length} centres for Privas`);
  for (const c of cards) {
    s.equal(c.href, '/contribuer?centre_id=' + encodeURIComponent(c.id), `report link of ${c.id}`);
    s.equal(c.text, 'Signaler', `link text of ${c.id}`);
    s.equal(c.label, `Signaler un problème sur ce centre : ${c.name}`, `accessible name of ${c.id}`);
  }

  // Keyboard only: Tab from the top of the page to the first card's « Signaler ».
  const reached = await tabTo(page, '#slot-results li.centre p.report a');
  s.ok(await focusVisible(page), 'visible focus on « Signaler »');
  const card = await page.evaluate(() => {
    const li = document.activeElement.closest('li.centre');
    return { id: li.dataset.id, name: li.querySelector('h3').textContent.trim() };
  });
  s.equal(card.id, cards[0].id, `the first card's link is reached first (${reached.presses} Tab presses)`);
  shared.centreId = card.id;
  shared.centreName = card.name;
  await page.locator('#slot-results li.centre').first().screenshot({ path: path.join(ART, 'contribute-card-focus-phone.png') });
  await Promise.all([page.waitForURL(/\/contribuer\?centre_id=/), page.keyboard.press('Enter')]);

  // The centre chooser: four choices about this centre.
  s.equal(new URL(page.url()).searchParams.get('centre_id'), card.id);
  s.equal(norm(await page.textContent('main h2')), 'Quel problème avez-vous rencontré avec ce centre ?');
  s.deepEqual(await breakingSpaces(page), [], 'French spacing: chooser');
  const choices = await page.$$eval('ul.choices a', (as) => as.map((a) => a.textContent.trim()));
  s.deepEqual(choices, [
    'Des créneaux sont affichés mais impossibles à réserver',
    'J’ai pu réserver un rendez-vous',
    'Une information est fausse (adresse, téléphone, horaires, lien)',
    'Le centre est fermé ou n’est pas un lieu de vaccination',
  ]);
  s.deepEqual(await axe(page), [], 'axe: centre chooser');
  await shots(page, 'contribute-chooser', s);
  await tabTo(page, 'ul.choices a', 'Des créneaux sont affichés mais impossibles à réserver');
  s.ok(await focusVisible(page), 'visible focus on the choice');
  await Promise.all([page.waitForURL(/kind=availability_report/), page.keyboard.press('Enter')]);
  const loaded = Date.now();

  // The form: about the card's centre, the outcome chosen, the time of now.
  s.equal(await page.textContent('h1'), 'Signalement de disponibilité');
  const about = norm(await page.textContent('.about-object'));
  s.ok(about.startsWith(`Centre concerné : ${card.name}`), `object of the form: ${JSON.stringify(about)} names ${card.name}`);
  // The outcome: radio buttons (whole sentences, never cut on a phone), the one chosen checked.
  const outcomes = await page.$$eval('input[name="outcome"]', (rs) => rs.map((r) => [r.value, r.checked, r.closest('label').textContent.trim()]));
  s.deepEqual(outcomes, [['not_bookable', true, 'Des créneaux sont affichés mais impossibles à réserver'], ['booked', false, 'J’ai pu réserver un rendez-vous']]);
  s.equal(norm(await page.textContent('fieldset.radios legend')), 'Qu’avez-vous constaté ? (obligatoire)');
  s.deepEqual(await breakingSpaces(page), [], 'French spacing: form');
  s.match(await page.inputValue('#f-seen_at'), /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
  s.equal(await page.textContent('label[for="f-email"]'), 'Votre adresse électronique (facultatif)');
  s.deepEqual(await axe(page), [], 'axe: form');
  // Keyboard: to the e-mail field (the honeypot is never focused on the way), type, wait, Enter.
  const toEmail = await tabTo(page, '#f-email', null, 30);
  s.ok(!toEmail.seen.some((w) => w.includes('f-website')), `honeypot never focused: ${toEmail.seen}`);
  s.ok(await focusVisible(page), 'visible focus on the e-mail field');
  await page.keyboard.type(EMAIL);
  await shots(page, 'contribute-form', s);
  const wait = FORM_DELAY_MS - (Date.now() - loaded);
  if (wait > 0) await page.waitForTimeout(wait);
  await Promise.all([page.waitForURL(/\/contribuer\/suivi\//), page.keyboard.press('Enter')]);

  // The private status page.
  const url = new URL(page.url());
  const m = /^\/contribuer\/suivi\/(C-\d{6})$/.exec(url.pathname);
  s.ok(m, `status path ${url.pathname}`);
  s.match(url.searchParams.get('jeton') || '', /^[0-9a-f]{32,}$/, 'private token in the link');
  s.equal(url.searchParams.get('recu'), '1');
  const id = m ? m[1] : null;
  s.equal(await page.textContent('h1'), `Votre contribution ${id}`);
  const notice = await page.textContent('p.notice[role="status"]');
  s.match(norm(notice), /^Merci ! Votre contribution a bien été reçue\./);
  s.deepEqual(await breakingSpaces(page), [], 'French spacing: status page');
  const f = await facts(page);
  s.equal(f['État'], 'en attente de modération');
  s.equal(f['Type'], 'Signalement de disponibilité');
  s.match(f['Reçue le'] || '', /^(lun|mar|mer|jeu|ven|sam|dim)\. \d{1,2} \S+ \d{4} à \d\d:\d\d$/);
  s.ok(!(await page.content()).includes(EMAIL), 'the e-mail address is not shown back');
  s.deepEqual(await axe(page), [], 'axe: status page');
  await shots(page, 'contribute-status', s);
  s.deepEqual(unexpected(errors), []);
  shared.id = id;
  await context.close();
  s.done();
});

test('form sent with a required field empty: 400, error summary naming and linking the field, aria-invalid, values kept', async () => {
  const s = soft(assert);
  const search = await (await fetch(BASE + '/api/v1/slots/search?commune=07186')).json();
  const centre = search.centres[0];
  const { page, context, errors } = await open(browser, BASE + '/contribuer?centre_id=' + encodeURIComponent(centre.id), PHONE, null, FR);
  await Promise.all([page.waitForURL(/kind=centre_correction/), page.click('ul.choices a:text("Une information est fausse")')]);
  const loaded = Date.now();
  s.equal(await page.textContent('h1'), 'Correction d’un centre');
  await page.selectOption('#f-field', 'phone');
  await page.fill('#f-value', '04 75 12 34 56');
  await page.fill('#f-email', EMAIL);
  const wait = FORM_DELAY_MS - (Date.now() - loaded);
  if (wait > 0) await page.waitForTimeout(wait);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/contribuer'),
    page.click('form.contrib-form button[type="submit"]'),
  ]);
  await page.waitForLoadState('load');
  s.equal(res.status(), 400, 'answer to a form with a required field empty');
  const summary = page.locator('.error-summary');
  s.equal(await summary.getAttribute('role'), 'alert');
  s.equal(await summary.locator('h2').textContent(), 'Votre contribution n’a pas été envoyée');
  const links = (await summary.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]))).map(([h, t]) => [h, norm(t)]);
  s.equal(await page.evaluate(() => document.activeElement.id), 'erreurs', 'the error summary has the focus');
  s.deepEqual(links, [['#f-evidence', 'Comment le savez-vous ? — champ obligatoire']], 'the summary names the field and links to it');
  const box = await summary.boundingBox();
  s.ok(box && box.y + box.height <= PHONE.height, 'the error summary is on the first screen of a phone');
  s.equal(await page.getAttribute('#f-evidence', 'aria-invalid'), 'true');
  s.equal(await page.getAttribute('#f-evidence', 'aria-describedby'), 'e-evidence');
  s.equal((await page.textContent('#e-evidence')).trim(), 'champ obligatoire');
  s.equal(await page.$eval('#e-evidence', (e) => getComputedStyle(e, '::first-letter').textTransform), 'uppercase', 'the field message starts with a capital');
  s.equal(await page.getAttribute('#f-value', 'aria-invalid'), null, 'only the wrong field is marked');
  s.deepEqual(await breakingSpaces(page), [], 'French spacing: error page');
  // What was typed is kept.
  s.equal(await page.inputValue('#f-field'), 'phone');
  s.equal(await page.inputValue('#f-value'), '04 75 12 34 56');
  s.equal(await page.inputValue('#f-email'), EMAIL);
  s.equal(await page.inputValue('input[name="centre_id"]'), centre.id);
  s.equal(await page.inputValue('#f-website'), '');
  // The summary's link leads to the field (keyboard: Tab to it, Enter).
  await tabTo(page, '.error-summary a', null, 40);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(100);
  s.equal(new URL(page.url()).hash, '#f-evidence');
  s.deepEqual(await axe(page), [], 'axe: error page');
  await shots(page, 'contribute-error', s);
  s.deepEqual(unexpected(errors, [/^400 .*\/contribuer$/, /status of 400 \(Bad Request\)$/]), []);
  await context.close();
  s.done();
});

test('moderator: login, queue, evidence beside the current data, accept with a reason, logout; register, Atom, CSV; escaped payload never runs', { skip: NO_MOD }, async () => {
  const s = soft(assert);
  // Set-up through the JSON API: a missing centre whose name is a script; and, when the first
  // test did not leave its contribution, one availability report with an e-mail address.
  const xss = await apiSubmit({
    kind: 'missing_centre', name: XSS_NAME, commune: '07186', phone: '04 75 12 34 56',
    evidence: 'Vu sur place <b>hier</b> & affiché en vitrine.',
  });
  if (!shared.id) {
    const search = await (await fetch(BASE + '/api/v1/slots/search?commune=07186')).json();
    shared.centreId = search.centres[0].id;
    shared.centreName = search.centres[0].name;
    shared.id = (await apiSubmit({ kind: 'availability_report', centre_id: shared.centreId, outcome: 'not_bookable', email: EMAIL })).id;
  }
  const id = shared.id;
  // The moderation API (bearer token) lists both, with the contributor's evidence as sent.
  if (MOD_TOKEN) {
    const q = await fetch(BASE + '/api/v1/moderation/contributions', { headers: { authorization: 'Bearer ' + MOD_TOKEN } });
    s.equal(q.status, 200, 'moderation API with the token');
    const items = q.status === 200 ? await q.json() : [];
    s.deepEqual(items.filter((i) => i.id === id || i.id === xss.id).map((i) => [i.id, i.status]).sort(), [[id, 'pending'], [xss.id, 'pending']].sort());
    s.equal(items.find((i) => i.id === xss.id)?.evidence, 'Vu sur place <b>hier</b> & affiché en vitrine.');
  }
  const reason = 'Vérifié par téléphone avec le centre : les créneaux affichés étaient déjà pris.';

  const { page, context, errors } = await open(browser, BASE + '/moderation', DESKTOP, null, FR);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  // Login form.
  s.equal(await page.textContent('h1'), 'Connexion des modérateurs');
  s.equal(await page.getAttribute('#m-name', 'autocomplete'), 'username');
  s.equal(await page.getAttribute('#m-password', 'type'), 'password');
  s.deepEqual(await axe(page), [], 'axe: login');
  await shots(page, 'moderation-login', s);
  await page.fill('#m-name', MOD_NAME);
  await page.fill('#m-password', MOD_PASSWORD);
  await Promise.all([page.waitForURL(BASE + '/moderation'), page.press('#m-password', 'Enter')]);
  const cookie = (await context.cookies()).find((c) => c.name === 'vigie_moderation');
  s.ok(cookie, 'session cookie set');
  if (cookie) s.deepEqual([cookie.httpOnly, cookie.secure, cookie.sameSite], [true, true, 'Strict'], 'cookie HttpOnly, Secure, SameSite=Strict');

  // Queue.
  s.equal(await page.textContent('h1'), 'File de modération');
  s.match(await page.textContent('form.logout'), new RegExp(`Connecté en tant que ${MOD_NAME}`));
  const rows = await page.$$eval('table.queue tbody tr', (trs) => trs.map((tr) => ({
    cells: [...tr.children].map((c) => c.textContent.trim()), href: tr.querySelector('a')?.getAttribute('href'),
  })));
  const row = rows.find((r) => r.cells[0] === id);
  s.ok(row, `${id} in the queue (${rows.map((r) => r.cells[0])})`);
  if (row) {
    s.equal(row.href, `/moderation/contributions/${id}`);
    s.equal(row.cells[1], 'Signalement de disponibilité');
    s.equal(row.cells[3], '07', 'department of the centre');
    s.equal(row.cells[4], 'en attente de modération');
  }
  const xssRow = rows.find((r) => r.cells[0] === xss.id);
  s.ok(xssRow && xssRow.cells[2].startsWith(XSS_NAME), `the script name is shown as text in the queue: ${xssRow && xssRow.cells[2]}`);
  s.equal(await page.$$eval('main script, main img', (e) => e.length), 0, 'no element made of contributed text in the queue');
  s.deepEqual(await axe(page), [], 'axe: queue');
  await shots(page, 'moderation-queue', s);

  // Item page: the contributor's words beside the current data.
  await Promise.all([page.waitForURL(new RegExp(`/moderation/contributions/${id}$`)), page.click(`table.queue a:text-is("${id}")`)]);
  s.equal(await page.textContent('h1'), `Contribution ${id}`);
  const sections = page.locator('.side-by-side > section');
  s.deepEqual(await sections.locator('h2').allTextContents(), ['Ce que dit le contributeur', 'Données actuelles']);
  const [a, b] = [await sections.nth(0).boundingBox(), await sections.nth(1).boundingBox()];
  s.ok(a && b && Math.abs(a.y - b.y) < 1 && b.x >= a.x + a.width, `side by side at 1366 px: ${JSON.stringify([a, b])}`);
  const says = await facts(page, '.side-by-side > section:nth-child(1) dl.facts');
  s.equal(says['Qu’avez-vous constaté ?'], 'Des créneaux sont affichés mais impossibles à réserver');
  s.match(says['Quand ?'] || '', /^(lun|mar|mer|jeu|ven|sam|dim)\. \d{1,2} \S+ \d{4} à \d\d:\d\d$/);
  const cur = await facts(page, '.side-by-side > section:nth-child(2) dl.facts');
  s.equal(cur['Nom du lieu'], shared.centreName, 'current data: the centre as scanned');
  s.match(cur['Créneaux'] || '', /^\d+$/);
  s.match(await page.textContent('main'), /Le contributeur a laissé une adresse pour être prévenu\./);
  s.ok(!(await page.content()).includes(EMAIL), 'the e-mail address is not shown to the moderator');
  s.deepEqual(await page.$$eval('fieldset input[type="radio"]', (rs) => rs.map((r) => [r.value, r.parentElement.textContent.trim()])),
    [['accept', 'Accepter'], ['reject', 'Refuser'], ['duplicate', 'Doublon'], ['need_info', 'Demander des informations']]);
  s.deepEqual(await axe(page), [], 'axe: item page');
  await shots(page, 'moderation-item', s);

  // Accept with a reason.
  await page.check('input[name="decision"][value="accept"]');
  await page.fill('#d-reason', reason);
  await Promise.all([page.waitForURL(/\?ok=1$/), page.click('button:text("Enregistrer la décision")')]);
  s.equal((await page.textContent('p.notice[role="status"]')).trim(), 'Décision enregistrée.');
  s.equal((await page.textContent('main > p .status')).trim(), 'acceptée');
  s.match(norm(await page.textContent('main')), new RegExp(`${MOD_NAME} : acceptée \\(${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
  await page.screenshot({ path: path.join(ART, 'moderation-item-decided-desktop.png'), fullPage: true });

  // The script one: its page shows the name as text; refused, it goes to the register.
  await page.goto(BASE + `/moderation/contributions/${xss.id}`);
  const xssSays = await facts(page, '.side-by-side > section:nth-child(1) dl.facts');
  s.equal(xssSays['Nom du lieu'], XSS_NAME, 'the name, as text, on the item page');
  s.equal(xssSays['Comment le savez-vous ?'], 'Vu sur place <b>hier</b> & affiché en vitrine.');
  s.equal(await page.$$eval('main script, main img, main b', (e) => e.length), 0, 'no element made of contributed text on the item page');
  await page.check('input[name="decision"][value="reject"]');
  await page.fill('#d-reason', 'Lieu introuvable.');
  await Promise.all([page.waitForURL(/\?ok=1$/), page.click('button:text("Enregistrer la décision")')]);

  // Logout: the login form again, the item page closed.
  await Promise.all([page.waitForURL(BASE + '/moderation'), page.click('button:text("Se déconnecter")')]);
  s.equal(await page.textContent('h1'), 'Connexion des modérateurs');
  s.equal(await page.locator('#m-password').count(), 1, 'login form after logout');
  s.ok(!(await context.cookies()).some((c) => c.name === 'vigie_moderation'), 'cookie removed');
  const closed = await page.goto(BASE + `/moderation/contributions/${id}`);
  s.equal(closed.status(), 401, 'item page after logout');
  s.match(await page.textContent('.error-summary'), /Connectez-vous pour modérer\./);

  // The public register.
  await page.goto(BASE + '/contributions');
  const reg = await page.$$eval('table.register tbody tr', (trs) => trs.map((tr) => ({ id: tr.id, cells: [...tr.children].map((c) => c.textContent.trim()) })));
  const r = reg.find((x) => x.id === id);
  s.ok(r, `${id} in the register`);
  if (r) {
    s.equal(r.cells[0], id);
    s.equal(r.cells[1], 'Signalement de disponibilité');
    s.equal(r.cells[4], 'acceptée');
    s.equal(r.cells[5], reason);
    s.equal(r.cells[8], MOD_NAME);
  }
  s.equal(norm(await page.textContent('table.register caption')), `Décisions publiées : ${reg.length}`);
  const rx = reg.find((x) => x.id === xss.id);
  s.ok(rx && rx.cells[2].startsWith(XSS_NAME) && rx.cells[4] === 'refusée', `the script name as text in the register: ${rx && rx.cells.join(' | ')}`);
  s.equal(await page.$$eval('main script, main img', (e) => e.length), 0, 'no element made of contributed text in the register');
  const html = await page.content();
  s.ok(!html.includes(EMAIL) && !ANY_EMAIL.test(await page.textContent('main')), 'no e-mail address in the register');
  s.deepEqual(await axe(page), [], 'axe: register');
  await shots(page, 'contributions-register', s);
  s.equal(await page.evaluate(() => window.__vigieXss), undefined, 'the payload never ran');
  s.deepEqual(dialogs, [], 'no dialog');
  s.deepEqual(unexpected(errors, [new RegExp(`^401 .*/moderation/contributions/${id}$`), /status of 401 \(Unauthorized\)$/]), []);
  await context.close();

  // Atom: a well-formed feed with the entry; the payload escaped; no e-mail address.
  const atomRes = await fetch(BASE + '/contributions.atom');
  s.match(atomRes.headers.get('content-type') || '', /^application\/atom\+xml/);
  const atom = await atomRes.text();
  s.ok(atom.includes(`<id>urn:vigie:contribution:${id}</id>`), 'Atom entry of the contribution');
  s.ok(atom.includes(reason), 'Atom: the reason');
  s.ok(!atom.includes('<script') && !atom.includes('<img'), 'Atom: the payload escaped');
  s.ok(!atom.includes(EMAIL) && !ANY_EMAIL.test(atom), 'no e-mail address in the Atom feed');
  const check = await browser.newContext();
  const p2 = await check.newPage();
  const parsed = await p2.evaluate((xml) => {
    const d = new DOMParser().parseFromString(xml, 'application/xml');
    if (d.querySelector('parsererror')) return { error: d.querySelector('parsererror').textContent };
    return { ids: [...d.getElementsByTagName('entry')].map((e) => e.getElementsByTagName('id')[0].textContent),
      titles: [...d.getElementsByTagName('entry')].map((e) => e.getElementsByTagName('title')[0].textContent),
      summaries: [...d.getElementsByTagName('entry')].map((e) => e.getElementsByTagName('summary')[0].textContent) };
  }, atom);
  await check.close();
  s.ok(!parsed.error, `Atom well-formed: ${parsed.error}`);
  if (parsed.ids) {
    const k = parsed.ids.indexOf(`urn:vigie:contribution:${id}`);
    s.ok(k >= 0, 'entry parsed');
    s.equal(parsed.titles[k], `${id} — Signalement de disponibilité : acceptée`);
    s.ok(parsed.summaries[k].endsWith(` — ${reason}`), `Atom summary ends with the reason: ${parsed.summaries[k]}`);
    const kx = parsed.ids.indexOf(`urn:vigie:contribution:${xss.id}`);
    s.ok(kx >= 0 && parsed.summaries[kx].startsWith(XSS_NAME), 'Atom: the name read back as text');
  }

  // CSV: a row with the id, no e-mail column nor address.
  const csvRes = await fetch(BASE + '/contributions.csv');
  s.match(csvRes.headers.get('content-type') || '', /^text\/csv/);
  const csv = await csvRes.text();
  const table = parseCsv(csv);
  s.deepEqual(table[0], ['id', 'kind', 'object', 'department', 'status', 'reason', 'duplicate_of', 'submitted_at', 'decided_at', 'moderator']);
  const line = table.find((x) => x[0] === id);
  s.ok(line, `${id} in the CSV`);
  if (line) s.deepEqual([line[1], line[3], line[4], line[5], line[9]], ['availability_report', '07', 'accepted', reason, MOD_NAME]);
  const lx = table.find((x) => x[0] === xss.id);
  s.ok(lx && lx[2].startsWith(XSS_NAME), 'the name kept as data in the CSV');
  s.ok(!csv.includes(EMAIL) && !ANY_EMAIL.test(csv), 'no e-mail address in the CSV');
  s.done();
});

test('KPI card « Signaler »: a figure-error form about that figure, territory, indicator and date chosen', async () => {
  const s = soft(assert);
  const { page, context, errors } = await open(browser, BASE + '/', PHONE, null, FR);
  const card = page.locator('.cards li.card[data-indicator="incidence_rate_7d"]').first();
  const label = (await card.locator('h3').textContent()).trim();
  const link = card.locator('p.report a');
  s.equal(await link.textContent(), 'Signaler');
  s.equal(await link.getAttribute('aria-label'), `Signaler une erreur sur ce chiffre : ${label}`);
  await Promise.all([page.waitForURL(/kind=figure_error/), link.click()]);
  s.equal(await page.textContent('h1'), 'Erreur dans un chiffre');
  s.match(norm(await page.textContent('.about-object')), /^Chiffre concerné : France — Taux d'incidence sur 7 jours \(\d\d\/\d\d\/\d{4}\)$/);
  s.equal(await page.inputValue('#f-territory'), 'FR');
  s.equal(await page.inputValue('#f-indicator'), 'incidence_rate_7d');
  s.match(await page.inputValue('#f-date'), /^\d{4}-\d\d-\d\d$/);
  s.equal(await page.inputValue('#f-evidence'), '');
  s.deepEqual(await axe(page), [], 'axe: figure-error form');
  s.deepEqual(unexpected(errors), []);
  await context.close();
  s.done();
});

test('privacy page and the English contribution pages: wording, axe, screenshots', async () => {
  const s = soft(assert);
  const { page, context, errors } = await open(browser, BASE + '/confidentialite', PHONE, null, FR);
  s.equal(await page.textContent('h1'), 'Confidentialité des contributions');
  s.deepEqual(await page.$$eval('main h2', (h) => h.map((x) => x.textContent)), ['Ce qui est gardé', 'Ce qui est publié', 'Le lien de suivi']);
  s.match(norm(await page.textContent('main')), /effacée au bout de 90 jours/);
  s.deepEqual(await breakingSpaces(page), [], 'French spacing: privacy page');
  s.equal(await page.getAttribute('main a[href="/contributions"]', 'href'), '/contributions');
  s.deepEqual(await axe(page), [], 'axe: privacy');
  await shots(page, 'privacy', s);
  // English.
  const search = await (await fetch(BASE + '/api/v1/slots/search?commune=07186')).json();
  await page.goto(BASE + '/en/contribuer?centre_id=' + encodeURIComponent(search.centres[0].id));
  s.equal(await page.getAttribute('html', 'lang'), 'en');
  s.equal(await page.textContent('main h2'), 'What problem did you meet with this centre?');
  const choices = await page.$$eval('ul.choices a', (as) => as.map((a) => [a.textContent.trim(), a.getAttribute('href')]));
  s.equal(choices.length, 4);
  s.ok(choices.every(([, h]) => h.startsWith('/en/contribuer?')), `English links ${JSON.stringify(choices)}`);
  await page.goto(BASE + '/en/contribuer?kind=availability_report&centre_id=' + encodeURIComponent(search.centres[0].id) + '&outcome=booked');
  s.equal(await page.textContent('h1'), 'Availability report');
  s.equal(norm(await page.textContent('fieldset.radios legend')), 'What did you see? (required)');
  s.equal(await page.$eval('input[name="outcome"]:checked', (r) => r.value), 'booked');
  s.equal(await page.getAttribute('form.contrib-form', 'action'), '/en/contribuer');
  s.deepEqual(await axe(page), [], 'axe: English form');
  await page.goto(BASE + '/en/rendez-vous?commune=07186');
  await page.waitForSelector('#slot-results[data-ready="1"] li.centre', { timeout: 15000 });
  const hrefs = await page.$$eval('#slot-results li.centre p.report a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  s.ok(hrefs.length > 0 && hrefs.every(([t, h]) => t === 'Report' && h.startsWith('/en/contribuer?centre_id=')), `English report links ${JSON.stringify(hrefs.slice(0, 2))}`);
  s.deepEqual(unexpected(errors), []);
  await context.close();
  s.done();
});
