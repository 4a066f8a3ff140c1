// The jurist's home page lists the demo's open deadlines of the next 30
// days (computed by the seed with internal/deadline), soonest first, with
// the weekday, the dossier and the rule; the calendar shows the soonest
// one among the hearings, labelled "Échéance", in month, week and list
// views, linking to its dossier. Screenshots at 1366×768 and 768×1024.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, gql, heading, signIn } from './lib/app.mjs';

const skip = skipReason();
const parisToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const long = (day) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${day}T12:00:00Z`));

const UPCOMING = `query($from: Date!, $to: Date!) { deadlines(from: $from, to: $to, first: 100) {
  nodes { id dueOn status title rule { title } dossier { id reference title } } } }`;

describe('deadlines on the home page and in the calendar', { skip }, () => {
  let browser;
  let page;
  const state = {};
  before(async () => {
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, account('juriste1'));
    await heading(page).filter({ hasText: 'Bonjour' }).waitFor();
  });
  after(async () => {
    await browser?.close();
  });

  test('the home page lists the next 30 days of open deadlines', async () => {
    const today = parisToday();
    const { deadlines } = await gql(page, UPCOMING, { from: today, to: addDays(today, 30) });
    const open = deadlines.nodes.filter((d) => d.status === 'OPEN');
    assert.ok(open.length >= 1, 'the demo seed has open deadlines in the next 30 days');
    const first = open[0];
    const panel = page.getByRole('region', { name: 'Prochaines échéances', exact: true });
    await panel.locator('tbody tr').first().waitFor();
    const rows = panel.locator('tbody tr');
    assert.equal(await rows.count(), open.length, 'one row per open deadline');
    const row = rows.first();
    assert.equal(await row.locator('time').getAttribute('datetime'), first.dueOn, 'soonest first');
    assert.equal(await row.locator('time').textContent(), long(first.dueOn), 'the due date in French with its weekday');
    const link = row.getByRole('link');
    assert.equal(await link.textContent(), `${first.dossier.reference} — ${first.dossier.title}`);
    assert.equal(await link.getAttribute('href'), `/dossiers/${first.dossier.id}`);
    assert.ok((await row.textContent()).includes(first.title || first.rule.title), 'the rule title');
    // The badge: on the deadlines due within 3 days, and only those.
    const days = (d) => Math.round((Date.parse(d) - Date.parse(today)) / 86_400_000);
    const soon = open.filter((d) => days(d.dueOn) <= 3).length;
    assert.equal(await panel.locator('.badge.urgent').count(), soon, 'a badge on each deadline due within 3 days');
    const dues = await rows.locator('time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
    assert.deepEqual(dues, [...dues].sort(), 'by due date');
    assert.equal(await page.locator('main .error-summary').count(), 0);
    await checkScreen(page, 'home-deadlines', { widths: true });
    state.first = first;
  });

  test('the calendar shows it among the hearings, in every view', async () => {
    assert.ok(state.first, 'the previous test did not get this far');
    const { dueOn, dossier } = state.first;
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Calendrier' }).click();
    await heading(page).filter({ hasText: 'Calendrier des audiences' }).waitFor();
    const item = (scope) => page.locator(`${scope} li.deadline-item`).filter({ hasText: dossier.reference });
    // Month view: the month of the due date (next month, late in this one).
    if (dueOn.slice(0, 7) !== parisToday().slice(0, 7)) await page.getByRole('button', { name: 'Suivant', exact: true }).click();
    const cell = page.locator('main table.calendar td').filter({ has: page.locator(`[data-day="${dueOn}"]`) });
    const inCell = cell.locator('li.deadline-item').filter({ hasText: dossier.reference }).first();
    await inCell.waitFor();
    assert.match(await inCell.textContent(), /^Échéance/, 'labelled "Échéance"');
    assert.equal(await inCell.getByRole('link').getAttribute('href'), `/dossiers/${dossier.id}`, 'links to its dossier');
    assert.match(await cell.locator('.day-label').getAttribute('aria-label'), /échéance/, 'the day counts its deadlines');
    await checkScreen(page, 'calendar-deadlines-month', { widths: true });

    await page.getByRole('button', { name: 'Liste', exact: true }).click();
    await item('main .calendar-list').first().waitFor();
    await checkScreen(page, 'calendar-deadlines-list', { widths: true });

    await page.getByRole('button', { name: 'Semaine', exact: true }).click();
    await page.getByRole('button', { name: 'Aujourd’hui', exact: true }).click();
    // The week of the due date: at most 5 weeks ahead.
    for (let k = 0; k < 6 && (await page.locator(`main table.calendar [data-day="${dueOn}"]`).count()) === 0; k++) {
      await page.getByRole('button', { name: 'Suivant', exact: true }).click();
    }
    await item('main table.calendar.week').first().waitFor();
    await checkScreen(page, 'calendar-deadlines-week', { widths: true });
    await item('main table.calendar.week').first().getByRole('link').click();
    await heading(page).filter({ hasText: dossier.reference }).waitFor();
  });
});
