// A jurist computes, on the dossier page, the 10-day appeal deadline of a
// judgment of the tribunal correctionnel from the day it was delivered: the
// 10 days end on a Saturday, so the server extends the deadline to the
// next working day (CPP 801) and explains it. Then adds a manual deadline,
// marks it done, and cancels the computed one with a reason, in a
// confirmation. Every screen passes axe; screenshots at 1366×768 and
// 768×1024. The tests build on each other.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, gql, heading, signIn } from './lib/app.mjs';

const skip = skipReason();
const RUN = Date.now().toString(36).toUpperCase();
const REFERENCE = `E2E-DL-${RUN}`;
// The catalogue's title (internal/deadline).
const RULE = "Appel d'un jugement contradictoire du tribunal correctionnel";

const iso = (d) => d.toISOString().slice(0, 10);
const utcDay = (s) => new Date(`${s}T00:00:00Z`);
const addDays = (d, n) => new Date(d.getTime() + n * 86_400_000);

// National public holidays on fixed dates (Code du travail L3133-1); the
// movable ones fall in spring, which the choice below avoids.
const FIXED_HOLIDAYS = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'];
const working = (d) => d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && !FIXED_HOLIDAYS.includes(iso(d).slice(5));

/**
 * A judgment day at least two weeks ago whose 10 days end on a Saturday,
 * outside March–June (Easter and Whit Monday), and the date the deadline
 * is extended to.
 */
function judgment() {
  let d = addDays(utcDay(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date())), -14);
  for (;;) {
    const end = addDays(d, 10);
    if (end.getUTCDay() === 6 && ![3, 4, 5, 6].includes(end.getUTCMonth() + 1)) {
      let due = end;
      while (!working(due)) due = addDays(due, 1);
      return { on: iso(d), rawEnd: iso(end), due: iso(due) };
    }
    d = addDays(d, -1);
  }
}

const long = (day) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(utcDay(day));
const short = (day) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(utcDay(day));

describe('deadlines on the dossier page', { skip }, () => {
  let browser;
  let page;
  const state = {};
  const j = judgment();
  const section = () => page.locator('main section').filter({ has: page.getByRole('heading', { level: 2, name: 'Échéances', exact: true }) });
  const item = (text) => section().locator('ul.deadlines > li').filter({ hasText: text });
  const need = (k, what) => assert.ok(state[k], `an earlier test did not get this far: ${what}`);
  const openDossier = async () => {
    need('dossierId', 'the dossier of the setup');
    await page.goto(`/dossiers/${state.dossierId}`);
    await heading(page).filter({ hasText: REFERENCE }).waitFor();
    await section().waitFor();
  };
  const refused = async (form) => ((await form.locator('.error-summary').count()) ? await form.locator('.error-summary').first().textContent() : '');

  before(async () => {
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, account('legal_staff'));
    const { createDossier } = await gql(page, `mutation($input: CreateDossierInput!) { createDossier(input: $input) { id } }`, {
      input: { reference: REFERENCE, title: 'Dossier des échéances (e2e)', themes: ['GROOMING'], openedOn: iso(addDays(new Date(), -200)) },
    });
    state.dossierId = createDossier.id;
  });
  after(async () => {
    await browser?.close();
  });

  test('1. a jurist computes the 10-day appeal from the judgment date and sees the extended date with its explanation', async () => {
    await openDossier();
    await section().getByText('Aucune échéance.').waitFor();
    await section().getByRole('button', { name: 'Calculer une échéance' }).click();
    const f = page.getByRole('form', { name: 'Calculer une échéance' });
    // The picker groups the rules by what they apply to.
    const groups = await f.locator('optgroup').evaluateAll((gs) => gs.map((g) => g.label));
    assert.ok(groups.includes('Jugements du tribunal correctionnel') && groups.includes('Pourvoi en cassation'), `groups: ${groups}`);
    await f.getByLabel('Règle').selectOption({ label: RULE });
    await f.getByText('S’applique à : jugement du tribunal correctionnel rendu contradictoirement').waitFor();
    await f.getByLabel('Date de l’événement : prononcé de la décision').fill(j.on);
    // Before saving: the date the server computes, with its explanation, not stored yet.
    const preview = section().locator('.deadline-preview');
    await preview.getByText(`Échéance qui sera enregistrée : ${long(j.due)}`).waitFor();
    await preview.getByText(`Prorogée : le délai expirait le ${short(j.rawEnd)}, jour non ouvrable.`).waitFor();
    assert.equal(await section().locator('ul.deadlines > li').count(), 0, 'a preview stores nothing');
    await checkScreen(page, 'deadline-compute-form', { widths: true, avoid: [REFERENCE] });
    await f.getByRole('button', { name: 'Calculer et enregistrer' }).click();
    const result = section().getByRole('status').filter({ hasText: 'Échéance calculée' });
    await result.or(f.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(f), '', 'the deadline was computed');
    await result.getByText(`Échéance calculée : ${long(j.due)}`).waitFor();
    // The explanation is shown with the result: the extension and its article.
    await result.getByText('Explication du calcul').click();
    await result.getByText(/prorogé jusqu.au premier jour ouvrable suivant \(art\. 801 CPP\)/).waitFor();
    // And in the list: the date, the rule, the article, the extension, the status.
    const li = item(RULE);
    await li.locator(`time[datetime="${j.due}"]`).filter({ hasText: long(j.due) }).waitFor();
    await li.getByText('article 498 al. 1 du Code de procédure pénale').waitFor();
    await li.getByText(`Prorogée : le délai expirait le ${short(j.rawEnd)}, jour non ouvrable.`).waitFor();
    await li.getByText('à faire').waitFor();
    await li.getByText('Explication du calcul').click();
    await li.getByText(/Le jour de départ n.est pas compté/).waitFor();
    await checkScreen(page, 'deadline-computed', { widths: true, avoid: [REFERENCE] });
    state.computed = true;
  });

  test('2. a trigger more than a year ahead is refused beside its field', async () => {
    need('computed', 'the deadline of test 1');
    await openDossier();
    await section().getByRole('button', { name: 'Calculer une échéance' }).click();
    const f = page.getByRole('form', { name: 'Calculer une échéance' });
    await f.getByLabel('Règle').selectOption({ label: RULE });
    await f.getByLabel(/^Date de l’événement/).fill(iso(addDays(new Date(), 800)));
    await f.getByRole('button', { name: 'Calculer et enregistrer' }).click();
    await f.locator('.field-error').filter({ hasText: 'est à plus d’un an dans le futur : vérifiez l’année.' }).waitFor();
    assert.equal(await section().locator('ul.deadlines > li').count(), 1, 'nothing was saved');
  });

  test('3. adds a manual deadline and marks it done', async () => {
    need('computed', 'the deadline of test 1');
    await openDossier();
    await section().getByRole('button', { name: 'Ajouter une échéance manuelle' }).click();
    const f = page.getByRole('form', { name: 'Ajouter une échéance manuelle' });
    await f.getByLabel('Intitulé').fill('Dépôt des conclusions de partie civile');
    await f.getByLabel('Date de l’échéance').fill(iso(addDays(new Date(), 20)));
    await f.getByLabel('Note').fill('Date fixée à l’audience de renvoi.');
    await f.getByRole('button', { name: 'Ajouter l’échéance' }).click();
    await section().getByRole('status').filter({ hasText: 'Échéance ajoutée.' }).or(f.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(f), '', 'the manual deadline was added');
    const li = item('Dépôt des conclusions de partie civile');
    await li.getByText('Date fixée à l’audience de renvoi.').waitFor();
    await li.getByRole('button', { name: /^Marquer comme faite/ }).click();
    await section().getByRole('status').filter({ hasText: 'Échéance marquée comme faite.' }).waitFor();
    await li.getByText('faite', { exact: true }).waitFor();
    await li.getByText(/^Faite le /).waitFor();
    state.manual = true;
  });

  test('4. cancels the computed deadline with a reason, in a confirmation', async () => {
    need('manual', 'the deadlines of tests 1 and 3');
    await openDossier();
    const li = section().locator('ul.deadlines > li').filter({ hasText: 'article 498 al. 1' });
    await li.getByRole('button', { name: /^Annuler l’échéance/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Annuler cette échéance ?' });
    await dialog.waitFor();
    // A reason is required.
    await dialog.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    await dialog.locator('.error-summary').waitFor();
    await dialog.getByLabel('Motif de l’annulation').fill('Le prévenu a fait appel ; appel incident à former.');
    await checkScreen(page, 'deadline-cancel-dialog', { widths: true, avoid: [REFERENCE] });
    await dialog.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    await section().getByRole('status').filter({ hasText: 'Échéance annulée.' }).waitFor();
    await li.getByText('annulée', { exact: true }).waitFor();
    await li.getByText('Annulée : Le prévenu a fait appel ; appel incident à former.').waitFor();
    // The open manual deadline is gone from the actions; nothing is left to do on either.
    assert.equal(await section().getByRole('button', { name: /^Marquer comme faite/ }).count(), 0);
    await checkScreen(page, 'deadlines-list', { widths: true, avoid: [REFERENCE] });
  });
});
