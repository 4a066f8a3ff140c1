// A jurist's working day, end to end through the screens: open a dossier,
// add a victim, reveal a seeded victim's identity (with a reason), add and
// requalify a charge, schedule a hearing and find it in the calendar,
// upload a document and download it back intact; then the DPO finds the
// identity reveal, with its reason, in the audit log. The tests build on
// each other and run in order; each one stops at its first failure.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { account, IDENTITY_MARKER, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, gql, heading, signIn, signOut } from './lib/app.mjs';
import { listDossiers } from './lib/data.mjs';

const skip = skipReason();
const RUN = Date.now().toString(36).toUpperCase();
const REFERENCE = `E2E-${RUN}`;
const TITLE = 'Dossier ouvert par le test de bout en bout';
const NEW_VICTIM = `Victime-E2E-${RUN}`;
const REVEAL_REASON = `Préparation de l’audience (e2e ${RUN})`;
const REQUALIFY_REASON = `Requalification par le parquet (e2e ${RUN})`;
const DOC_TITLE = `piece-e2e-${RUN.toLowerCase()}`;

/** A day (YYYY-MM-DD) in Paris, n days from now. */
function parisDayIn(n) {
  const d = new Date(Date.now() + n * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** ~300 KB that starts like a PDF, with varied bytes. */
function pdfLikeBuffer() {
  const head = Buffer.from('%PDF-1.4\n% e2e test document\n');
  const body = Buffer.alloc(300 * 1024);
  let x = 0x2545_5044;
  for (let i = 0; i < body.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    body[i] = x >>> 24;
  }
  return Buffer.concat([head, body, Buffer.from('\n%%EOF\n')]);
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

describe('flows of a jurist, then the DPO', { skip }, () => {
  let browser;
  let page; // the jurist's
  const jurist = account('legal_staff');
  const state = {}; // what each test leaves for the next: created {id}, revealed {victimId}
  const section = (name) => page.locator('main section').filter({ has: page.getByRole('heading', { level: 2, name, exact: true }) });
  const need = (k, what) => assert.ok(state[k], `an earlier test did not get this far: ${what}`);

  before(async () => {
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, jurist);
  });
  after(async () => {
    await browser?.close();
  });

  test('1. a jurist opens a dossier, adds a victim, reveals a seeded identity with a reason', async () => {
    // The form.
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Dossiers' }).click();
    await heading(page).filter({ hasText: 'Dossiers' }).waitFor();
    await page.getByRole('link', { name: 'Ouvrir un dossier' }).click();
    await heading(page).filter({ hasText: 'Ouvrir un dossier' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/dossiers/new');
    await page.getByLabel('Référence interne').fill(REFERENCE);
    await page.getByLabel('Intitulé', { exact: true }).fill(TITLE);
    await page.getByLabel('Résumé anonymisé des faits').fill('Faits anonymisés saisis par le test.');
    await page.getByRole('group', { name: 'Thèmes' }).getByRole('checkbox').first().check();
    // Countries by name, never a code to type: two added from the list, one removed.
    const countries = page.getByRole('group', { name: 'Pays', exact: true });
    for (const code of ['PH', 'RO', 'FR']) {
      await countries.getByLabel('Ajouter un pays').selectOption(code);
      await countries.getByRole('button', { name: 'Ajouter', exact: true }).click();
    }
    await countries.getByRole('button', { name: 'Retirer Roumanie' }).click();
    assert.deepEqual(await countries.getByRole('list', { name: 'Pays choisis' }).locator('li').evaluateAll((li) => li.map((x) => x.firstChild.textContent.trim())), ['Philippines', 'France']);
    await checkScreen(page, 'flow-dossier-new', { widths: true });
    await page.getByRole('button', { name: 'Ouvrir le dossier' }).click();

    // Its page (or the form's error, reported).
    await heading(page).filter({ hasText: REFERENCE }).or(page.locator('main .error-summary')).first().waitFor();
    if (await page.locator('main .error-summary').count()) assert.fail(`the dossier form refused: ${await page.locator('main .error-summary').first().textContent()}`);
    const id = new URL(page.url()).pathname.split('/').pop();
    assert.match(id, /^[0-9a-f-]{36}$/, `the new dossier's page is /dossiers/<id> (${page.url()})`);
    await section('Victimes').waitFor();
    await page.locator('dl.details').getByText('Philippines, France', { exact: true }).waitFor();
    state.created = { id };

    // A victim, by pseudonym.
    await section('Victimes').getByRole('button', { name: 'Ajouter une victime' }).click();
    const vf = page.getByRole('form', { name: 'Ajouter une victime' });
    await vf.getByLabel('Pseudonyme').fill(NEW_VICTIM);
    await vf.getByLabel('Âge au moment des faits').fill('14');
    await vf.getByLabel('Pays de résidence').selectOption({ label: 'Côte d’Ivoire' });
    await checkScreen(page, 'flow-victim-form', { avoid: [REFERENCE, NEW_VICTIM] });
    await vf.getByRole('button', { name: 'Ajouter une victime' }).click();
    await page.getByRole('status').filter({ hasText: `Victime « ${NEW_VICTIM} » ajoutée.` }).waitFor();
    await section('Victimes').locator('li').filter({ hasText: NEW_VICTIM }).filter({ hasText: '(Côte d’Ivoire)' }).waitFor();
    // A new victim has no identity yet, so no reveal button (only "Saisir l'identité").
    assert.equal(await section('Victimes').locator('li').filter({ hasText: NEW_VICTIM }).getByRole('button', { name: /Afficher/ }).count(), 0, 'a victim without identity has no reveal button');
    await checkScreen(page, 'flow-dossier-created', { avoid: [REFERENCE, NEW_VICTIM], widths: true });

    // A seeded dossier of the jurist's with a victim that has an identity.
    // (Legal staff list every dossier; revealing needs an assignment.)
    const { me } = await gql(page, 'query { me { id } }');
    const { nodes } = await listDossiers(page);
    let target = null;
    for (const n of nodes) {
      if (n.id === id) continue;
      const { dossier } = await gql(page, `query($id: ID!) { dossier(id: $id) { id reference assignees { userId } victims { id pseudonym hasIdentity } } }`, { id: n.id });
      if (!dossier?.assignees.some((a) => a.userId === me.id)) continue;
      const v = dossier.victims.find((x) => x.hasIdentity);
      if (v) {
        target = { dossier, victim: v };
        break;
      }
    }
    assert.ok(target, 'the seed assigns the jurist a dossier with a victim whose identity is recorded');
    await page.goto(`/dossiers/${target.dossier.id}`);
    await heading(page).filter({ hasText: target.dossier.reference }).waitFor();
    const row = section('Victimes').locator('li').filter({ hasText: target.victim.pseudonym }).first();
    await row.getByRole('button', { name: `Afficher l’identité — ${target.victim.pseudonym}` }).click();
    const dialog = page.getByRole('dialog', { name: `Identité de ${target.victim.pseudonym}` });
    await dialog.waitFor();
    await dialog.getByLabel('Motif de la consultation').fill(REVEAL_REASON);
    await checkScreen(page, 'flow-reveal-reason', { avoid: [target.dossier.reference, target.victim.pseudonym] });
    await dialog.getByRole('button', { name: 'Afficher l’identité' }).click();
    await dialog.getByText('Cette consultation a été enregistrée').or(dialog.locator('.error-summary')).first().waitFor();
    if (await dialog.locator('.error-summary').count()) assert.fail(`the reveal was refused: ${await dialog.locator('.error-summary').first().textContent()}`);
    await dialog.getByText(IDENTITY_MARKER).first().waitFor();
    await dialog.getByText('Cette consultation a été enregistrée').waitFor();
    state.revealed = { victimId: target.victim.id, dossierId: target.dossier.id };
    // checkScreen's privacy check: the identity is in neither the URL nor the title.
    await checkScreen(page, 'flow-reveal-identity', { avoid: [target.dossier.reference, target.victim.pseudonym] });
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(IDENTITY_MARKER), 'the identity is gone from the page once the dialog is closed');
  });

  /** The dossier of test 1, freshly loaded (whatever state an earlier failure left). */
  const openCreated = async () => {
    need('created', 'the dossier of test 1');
    await page.goto(`/dossiers/${state.created.id}`);
    await heading(page).filter({ hasText: REFERENCE }).waitFor();
  };

  test('2. adds a charge and requalifies it; the history shows both', async () => {
    await openCreated();
    const charges = section('Qualifications');
    await charges.getByRole('button', { name: 'Ajouter une qualification' }).click();
    const add = page.getByRole('form', { name: 'Ajouter une qualification' });
    const article = add.getByLabel('Article du Code pénal');
    await article.locator('option').nth(2).waitFor({ state: 'attached' });
    const options = await article.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent })).filter((o) => o.value));
    assert.ok(options.length >= 2, `at least two penal articles to choose from (${options.length})`);
    const [first, second] = options;
    await article.selectOption(first.value);
    await add.getByLabel('Libellé').fill('Qualification initiale (e2e)');
    await add.getByLabel('Date de la version de l’article').fill('2021-04-23');
    await add.getByLabel('Circonstances aggravantes').fill('sur mineur de quinze ans, en bande organisée');
    await checkScreen(page, 'flow-charge-form', { avoid: [REFERENCE] });
    await add.getByRole('button', { name: 'Ajouter une qualification' }).click();
    await page.getByRole('status').filter({ hasText: 'Qualification ajoutée.' }).waitFor();
    await charges.getByText(`Article ${first.value} du Code pénal`).first().waitFor();
    // What was stored is shown: the circumstances and the article's version (once stored, never shown).
    await charges.getByText('Circonstances aggravantes : sur mineur de quinze ans, en bande organisée').first().waitFor();
    await charges.getByText('Version de l’article en vigueur le 23 avril 2021').first().waitFor();

    await charges.getByRole('button', { name: `Requalifier (article ${first.value})` }).click();
    const rq = page.getByRole('form', { name: `Requalifier (article ${first.value})` });
    await rq.getByLabel('Article du Code pénal').locator('option').nth(2).waitFor({ state: 'attached' });
    // The form starts from the current qualification: requalifying drops nothing silently.
    assert.equal(await rq.getByLabel('Article du Code pénal').inputValue(), first.value);
    assert.equal(await rq.getByLabel('Circonstances aggravantes').inputValue(), 'sur mineur de quinze ans, en bande organisée');
    assert.equal(await rq.getByLabel('Libellé').inputValue(), 'Qualification initiale (e2e)');
    assert.equal(await rq.getByLabel('Date de la version de l’article').inputValue(), '2021-04-23');
    await rq.getByLabel('Article du Code pénal').selectOption(second.value);
    await rq.getByLabel('Motif de la requalification').fill(REQUALIFY_REASON);
    await rq.getByRole('button', { name: 'Requalifier', exact: true }).click();
    await rq.waitFor({ state: 'detached' });
    await charges.getByText(`Article ${second.value}`).first().waitFor();

    const history = charges.locator('details').first();
    await history.getByText('Historique des requalifications').click();
    const timeline = history.getByRole('list', { name: 'Historique des requalifications' });
    await timeline.waitFor();
    const entries = timeline.locator(':scope > li');
    assert.equal(await entries.count(), 2, 'the history has the charge and its requalification');
    await entries.filter({ hasText: 'remplacée' }).filter({ hasText: `Article ${first.value}` }).waitFor();
    await entries.filter({ hasText: 'actuelle' }).filter({ hasText: `Article ${second.value}` }).filter({ hasText: REQUALIFY_REASON }).waitFor();
    await entries.filter({ hasText: 'actuelle' }).filter({ hasText: 'en bande organisée' }).waitFor();
    await checkScreen(page, 'flow-charge-history', { avoid: [REFERENCE] });
  });

  test('3. schedules a hearing next week; the calendar shows it and links back', async () => {
    await openCreated();
    const day = parisDayIn(7);
    const hearings = section('Audiences');
    await hearings.getByRole('button', { name: 'Programmer une audience' }).click();
    const f = page.getByRole('form', { name: 'Programmer une audience' });
    await f.getByLabel('Début', { exact: true }).fill(`${day}T10:30`);
    await f.getByLabel('Fin prévue').fill(`${day}T12:00`);
    await f.getByLabel('Salle').fill('Salle E2E');
    await checkScreen(page, 'flow-hearing-form', { avoid: [REFERENCE] });
    await f.getByRole('button', { name: 'Programmer une audience' }).click();
    await page.getByRole('status').filter({ hasText: 'Audience programmée.' }).waitFor();
    await hearings.locator(`li time[datetime^="${day}T"]`).or(hearings.locator('li').filter({ hasText: 'Salle E2E' })).first().waitFor();

    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Calendrier' }).click();
    await heading(page).filter({ hasText: 'Calendrier des audiences' }).waitFor();
    await page.getByRole('button', { name: 'Semaine', exact: true }).click();
    await page.getByRole('button', { name: 'Suivant', exact: true }).click();
    const link = page.locator('main table.calendar a').filter({ hasText: REFERENCE });
    await link.waitFor();
    assert.equal(await link.count(), 1, 'one hearing of the new dossier in next week');
    assert.equal(await link.getAttribute('href'), `/dossiers/${state.created.id}`, 'the hearing links to its dossier');
    assert.match(await link.textContent(), /10:30/, 'at 10:30, Paris time');
    await checkScreen(page, 'flow-calendar-week', { avoid: [REFERENCE] });
    await link.click();
    await heading(page).filter({ hasText: REFERENCE }).waitFor();
    state.hearing = true;
  });

  test('3b. a closed dossier offers no edit action until it is reopened', async () => {
    await openCreated();
    const details = section('Informations');
    await details.getByRole('button', { name: 'Clôturer' }).click();
    const f = page.getByRole('form', { name: 'Clôturer' });
    await f.getByLabel('Motif de la clôture').fill('Fin de la procédure (e2e)');
    await f.getByRole('button', { name: 'Clôturer le dossier' }).click();
    await details.getByText('Clos', { exact: true }).waitFor();
    for (const name of ['Ajouter une victime', 'Ajouter un mis en cause', 'Ajouter une qualification', 'Programmer une audience', 'Saisir l’identité', 'Modifier', 'Ajouter une pièce']) {
      assert.equal(await page.locator('main').getByRole('button', { name, exact: true }).count(), 0, `a closed dossier offers “${name}”`);
    }
    assert.equal(await page.locator('main').getByRole('button', { name: /^Requalifier/ }).count(), 0, 'a closed dossier offers a requalification');
    assert.equal(await page.locator('main').getByRole('link', { name: 'Modifier le dossier' }).count(), 0, 'a closed dossier offers its edit page');
    await checkScreen(page, 'dossier-closed', { avoid: [REFERENCE], widths: true });
    await details.getByRole('button', { name: 'Rouvrir' }).click();
    await page.getByRole('form', { name: 'Rouvrir' }).getByRole('button', { name: 'Rouvrir le dossier' }).click();
    await details.getByText('Ouvert', { exact: true }).waitFor();
    await page.locator('main').getByRole('button', { name: 'Ajouter une victime' }).waitFor();
  });

  test('4. uploads a document with progress, then downloads it intact', async () => {
    await openCreated();
    const bytes = pdfLikeBuffer();
    const evidence = section('Pièces');
    await evidence.getByRole('button', { name: 'Ajouter une pièce' }).click();
    const f = page.getByRole('form', { name: 'Ajouter une pièce' });
    await f.getByLabel('Fichier', { exact: true }).setInputFiles({ name: `${DOC_TITLE}.pdf`, mimeType: 'application/pdf', buffer: bytes });
    await f.getByText(`Fichier choisi : ${DOC_TITLE}.pdf`).waitFor();
    assert.equal(await f.getByLabel('Titre').inputValue(), DOC_TITLE, 'the title comes from the file name');
    await checkScreen(page, 'flow-upload-form', { avoid: [REFERENCE] });

    // The progress bar shows only while the transfer runs (on loopback, briefly):
    // record every state it takes in the page itself.
    await page.evaluate(() => {
      const seen = (window.__e2eProgress = []);
      const note = () => {
        const p = document.querySelector('main progress');
        if (p) seen.push(Number(p.getAttribute('value') ?? p.value));
      };
      new MutationObserver(note).observe(document.querySelector('main'), { childList: true, subtree: true, attributes: true, attributeFilter: ['value'] });
    });
    await f.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByRole('status').filter({ hasText: `Pièce « ${DOC_TITLE} » enregistrée.` }).waitFor();
    const progress = await page.evaluate(() => window.__e2eProgress);
    assert.ok(progress.length > 0, 'a progress bar showed during the upload');
    assert.ok(progress.every((v) => v >= 0 && v <= 100), `progress values within 0–100 (${progress.join(', ')})`);

    const row = evidence.locator('table tbody tr').filter({ hasText: DOC_TITLE });
    await row.filter({ hasText: 'Enregistrée' }).waitFor();
    const shown = (await row.locator('code.hash').textContent()).trim();
    assert.match(shown, /^[0-9a-f]{64}$/, `a SHA-256 is shown (${shown})`);
    assert.equal(shown, sha256(bytes), 'the SHA-256 shown is that of the bytes sent');
    await checkScreen(page, 'flow-evidence-stored', { avoid: [REFERENCE] });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: `Télécharger — ${DOC_TITLE}` }).click(),
    ]);
    const path = await download.path();
    assert.ok(path, `the download completed (${await download.failure()})`);
    const got = await readFile(path);
    assert.equal(got.length, bytes.length, 'the downloaded size');
    assert.equal(sha256(got), shown, 'the SHA-256 of the downloaded bytes is the one shown');
    assert.equal(download.suggestedFilename(), `${DOC_TITLE}.pdf`);
    await signOut(page);
  });

  test('5. the DPO finds the identity reveal, with its reason, in the audit log', async () => {
    need('revealed', 'the identity reveal of test 1');
    const dpo = await newPage(browser);
    await signIn(dpo, account('dpo'));
    await dpo.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Journal d’audit' }).click();
    await heading(dpo).filter({ hasText: 'Journal d’audit' }).waitFor();
    const search = dpo.getByRole('search');
    await search.getByLabel('Action', { exact: true }).selectOption({ label: 'Consultation de l’identité d’une victime' });
    await search.getByLabel('Identifiant de la ressource').fill(state.revealed.victimId);
    await search.getByRole('button', { name: 'Rechercher' }).click();
    const row = dpo.locator('main table.audit tbody tr').filter({ hasText: REVEAL_REASON });
    await row.waitFor();
    assert.equal(await row.count(), 1, 'one reveal with this reason');
    // In words; the code only as a hint; the victim's id short, whole in data-id (and the clipboard).
    await row.getByText('Consultation de l’identité d’une victime', { exact: true }).waitFor();
    await row.locator('code').filter({ hasText: 'victim.identity.reveal' }).waitFor();
    await row.locator(`[data-id="${state.revealed.victimId}"]`).filter({ hasText: `${state.revealed.victimId.slice(0, 8)}…` }).waitFor();
    assert.equal(await row.getByText(state.revealed.victimId).count(), 0, 'no whole UUID to read');
    await row.getByText('Droit vérifié : Consultation des identités').waitFor();
    // Every row matches the search.
    const actions = await dpo.locator('main table.audit tbody tr td:nth-child(3) code').allTextContents();
    assert.ok(actions.every((a) => a === 'victim.identity.reveal'), `only reveals listed (${[...new Set(actions)].join(', ')})`);
    await checkScreen(dpo, 'flow-audit-reveal', { widths: true });
    // « Filtrer sur ce dossier »: the dossier's events, without reading the dossier.
    await row.getByRole('button', { name: 'Filtrer sur ce dossier' }).click();
    assert.equal(await search.getByLabel('Identifiant du dossier').inputValue(), state.revealed.dossierId);
    await dpo.locator('main table.audit tbody tr').first().waitFor();
    const dossierIds = await dpo.locator('main table.audit tbody tr .audit-dossier [data-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    assert.ok(dossierIds.length > 0 && dossierIds.every((d) => d === state.revealed.dossierId), 'only this dossier’s events');
    await signOut(dpo);
    await dpo.context().close();
  });
});
