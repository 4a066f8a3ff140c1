// A jurist follows a case through the courts on the dossier page: opens a
// proceeding, advances it to trial (only the transitions the schema allows
// are offered), constitutes the organisation civil party and records the
// court's decision; then adds and edits a defendant, enters the
// defendant's identity, and records and withdraws a victim's consent;
// last, withdraws the organisation's constitution (désistement).
// Every form passes axe while open. The tests build on each other.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, gql, heading, signIn } from './lib/app.mjs';

const skip = skipReason();
const RUN = Date.now().toString(36).toUpperCase();
const REFERENCE = `E2E-PROC-${RUN}`;
const DEFENDANT = `Mis-en-cause-${RUN}`;
const DEFENDANT_RENAMED = `Mis-en-cause-bis-${RUN}`;
const VICTIM = `Victime-proc-${RUN}`;
const IDENTITY = `NOM-DEMO Prévenu ${RUN}`;

/** A day (YYYY-MM-DD) in Paris, n days from now. */
function parisDayIn(n) {
  const d = new Date(Date.now() + n * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

describe('proceedings, civil-party standing, defendants and consents', { skip }, () => {
  let browser;
  let page;
  const state = {};
  const section = (name) => page.locator('main section').filter({ has: page.getByRole('heading', { level: 2, name, exact: true }) });
  const proceedings = () => section('Procédures');
  const stageItem = (stage) => proceedings().getByRole('list', { name: 'Procédures, de la plus ancienne à la plus récente' }).locator(':scope > li').filter({ has: page.getByRole('heading', { level: 3, name: new RegExp(`^${stage} — `) }) });
  const need = (k, what) => assert.ok(state[k], `an earlier test did not get this far: ${what}`);
  const openDossier = async () => {
    need('dossierId', 'the dossier of the first test');
    await page.goto(`/dossiers/${state.dossierId}`);
    await heading(page).filter({ hasText: REFERENCE }).waitFor();
  };
  /** The form's first error summary, reported, if a submit was refused. */
  const refused = async (form) => ((await form.locator('.error-summary').count()) ? await form.locator('.error-summary').first().textContent() : '');

  before(async () => {
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, account('legal_staff'));
    const { createDossier } = await gql(page, `mutation($input: CreateDossierInput!) { createDossier(input: $input) { id } }`, {
      input: { reference: REFERENCE, title: 'Dossier des procédures (e2e)', themes: ['GROOMING'], openedOn: parisDayIn(-400) },
    });
    state.dossierId = createDossier.id;
    await gql(page, `mutation($input: AddVictimInput!) { addVictim(input: $input) { id } }`, { input: { dossierId: createDossier.id, pseudonym: VICTIM, ageAtFacts: 13 } });
  });
  after(async () => {
    await browser?.close();
  });

  test('1. a jurist opens a proceeding: a preliminary inquiry at the parquet', async () => {
    await openDossier();
    await proceedings().getByText('Aucune procédure.').waitFor();
    await proceedings().getByRole('button', { name: 'Ouvrir une procédure' }).click();
    const f = page.getByRole('form', { name: 'Ouvrir une procédure' });
    await f.getByLabel('Étape').selectOption('PRELIMINARY_INQUIRY');
    // Only the parquet holds an inquiry.
    const kinds = await f.getByLabel('Autorité ou juridiction').locator('option').allTextContents();
    assert.deepEqual(kinds, ['Parquet'], 'only the courts fitting the stage');
    await f.getByLabel('Nom de la juridiction').fill('Parquet de Paris');
    await f.getByLabel('Numéro de rôle (RG)').fill(`P-${RUN}`);
    await f.getByLabel('Date de début').fill(parisDayIn(-300));
    await checkScreen(page, 'proceeding-open-form', { avoid: [REFERENCE] });
    await f.getByRole('button', { name: 'Ouvrir la procédure' }).click();
    await page.getByRole('status').filter({ hasText: 'Procédure ouverte : Enquête préliminaire.' }).or(f.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(f), '', 'the proceeding was opened');
    await stageItem('Enquête préliminaire').filter({ hasText: 'Parquet de Paris' }).filter({ hasText: 'En cours' }).waitFor();
    state.opened = true;
  });

  test('2. advances it to trial, offering only the allowed next stages; a wrong date shows beside its field', async () => {
    need('opened', 'the proceeding of test 1');
    await openDossier();
    const item = stageItem('Enquête préliminaire');
    await item.getByRole('button', { name: 'Passer à l’étape suivante' }).click();
    const f = page.getByRole('form', { name: /^Passer à l’étape suivante — Enquête préliminaire/ });
    const stages = await f.getByLabel('Étape', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(stages, ['Information judiciaire', 'Jugement'], 'inquiry → investigation or trial only');
    await f.getByLabel('Date de fin').fill(parisDayIn(-100));
    await f.getByLabel('Issue').fill('Citation directe devant le tribunal correctionnel');
    await f.getByLabel('Étape', { exact: true }).selectOption('TRIAL');
    await f.getByLabel('Autorité ou juridiction').selectOption('TRIBUNAL_POUR_ENFANTS');
    await f.getByLabel('Nom de la juridiction').fill('Tribunal pour enfants de Paris');
    // The next stage starting before the current one ended: refused beside the field, nothing typed is lost.
    await f.getByLabel('Début de l’étape suivante').fill(parisDayIn(-101));
    await f.getByRole('button', { name: 'Passer à l’étape suivante' }).click();
    const fieldError = f.locator('.field-error').filter({ hasText: 'L’étape suivante ne peut pas commencer avant la fin de l’étape actuelle.' });
    await fieldError.waitFor();
    assert.equal(await f.getByLabel('Début de l’étape suivante').getAttribute('aria-invalid'), 'true');
    assert.equal(await f.getByLabel('Issue').inputValue(), 'Citation directe devant le tribunal correctionnel', 'the outcome typed is kept');
    await checkScreen(page, 'proceeding-advance-form-error', { avoid: [REFERENCE] });
    await f.getByLabel('Début de l’étape suivante').fill(parisDayIn(-90));
    await f.getByRole('button', { name: 'Passer à l’étape suivante' }).click();
    await page.getByRole('status').filter({ hasText: 'Étape suivante ouverte : Jugement.' }).or(f.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(f), '', 'the proceeding advanced');

    // In order: the inquiry, closed with its outcome, then the trial, ongoing.
    await stageItem('Jugement').waitFor();
    const titles = await proceedings().locator('h3').allTextContents();
    assert.deepEqual(titles, ['Enquête préliminaire — Parquet', 'Jugement — Tribunal pour enfants'], 'the stages in the order they happened');
    await stageItem('Enquête préliminaire').filter({ hasText: 'Terminée' }).filter({ hasText: 'Issue : Citation directe devant le tribunal correctionnel' }).waitFor();
    await stageItem('Jugement').filter({ hasText: 'En cours' }).filter({ hasText: 'Fait suite à : Enquête préliminaire — Parquet de Paris' }).waitFor();
    // A closed stage offers no more actions; the trial offers appeal or cassation.
    assert.equal(await stageItem('Enquête préliminaire').getByRole('button', { name: 'Passer à l’étape suivante' }).count(), 0);
    await stageItem('Jugement').getByRole('button', { name: 'Passer à l’étape suivante' }).click();
    const next = await page.getByRole('form', { name: /^Passer à l’étape suivante — Jugement/ }).getByLabel('Étape', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(next, ['Appel', 'Cassation'], 'trial → appeal or cassation only');
    await checkScreen(page, 'proceeding-trial', { avoid: [REFERENCE] });
    state.trial = true;
  });

  test('3. constitutes the organisation civil party in the trial and records the decision', async () => {
    need('trial', 'the trial of test 2');
    await openDossier();
    const item = stageItem('Jugement');
    await item.getByText('Aucune association n’est constituée partie civile dans cette procédure.').waitFor();
    await item.getByRole('button', { name: 'Se constituer partie civile' }).click();
    const f = page.getByRole('form', { name: /^Se constituer partie civile — Jugement/ });
    await f.getByLabel('Date de la constitution').fill(parisDayIn(-60));
    await f.getByLabel('Mode de constitution').selectOption('LETTER');
    await f.getByLabel('Fondement').locator('option[value="CPP 2-3"]').waitFor({ state: 'attached' });
    await f.getByLabel('Fondement').selectOption('CPP 2-3');
    await f.getByLabel('Dommages et intérêts demandés (en euros)').fill('abc');
    await f.getByRole('button', { name: 'Enregistrer la constitution' }).click();
    await f.locator('.field-error').filter({ hasText: 'Saisissez un montant en euros' }).waitFor();
    await f.getByLabel('Dommages et intérêts demandés (en euros)').fill('1 500');
    await checkScreen(page, 'standing-constitute-form', { avoid: [REFERENCE], widths: true });
    await f.getByRole('button', { name: 'Enregistrer la constitution' }).click();
    await page.getByRole('status').filter({ hasText: 'Constitution de partie civile enregistrée.' }).or(f.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(f), '', 'the constitution was recorded');
    const standing = item.locator('.standings > li').filter({ hasText: '(votre association)' });
    await standing.filter({ hasText: 'lettre avant l’audience' }).filter({ hasText: 'sur le fondement de l’article 2-3 du Code de procédure pénale.' }).filter({ hasText: 'en attente de décision' }).waitFor();
    assert.match((await standing.textContent()).replace(/\s/g, ' '), /demandés : 1 500,00 €/);
    // Once constituted, the organisation is not offered to constitute again.
    assert.equal(await item.getByRole('button', { name: 'Se constituer partie civile' }).count(), 0);

    await standing.getByRole('button', { name: 'Enregistrer la décision sur la recevabilité' }).click();
    const d = page.getByRole('form', { name: /^Enregistrer la décision sur la recevabilité — Jugement/ });
    await d.getByLabel('Décision', { exact: true }).selectOption('ADMITTED');
    await d.getByLabel('Date de la décision').fill(parisDayIn(-10));
    await d.getByLabel('Dommages et intérêts alloués (en euros)').fill('800');
    await checkScreen(page, 'standing-decide-form', { avoid: [REFERENCE] });
    await d.getByRole('button', { name: 'Enregistrer la décision' }).click();
    await page.getByRole('status').filter({ hasText: 'Décision enregistrée.' }).or(d.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(d), '', 'the decision was recorded');
    await standing.filter({ hasText: 'recevable' }).waitFor();
    assert.match((await standing.textContent()).replace(/\s/g, ' '), /alloués : 800,00 €/);
    assert.doesNotMatch(await standing.textContent(), /en attente/);
    await checkScreen(page, 'standing-decided', { avoid: [REFERENCE] });
  });

  test('4. adds a defendant, edits it, enters its identity (never shown back), then reveals it with a reason', async () => {
    await openDossier();
    const defendants = section('Mis en cause');
    await defendants.getByRole('button', { name: 'Ajouter un mis en cause' }).click();
    const add = page.getByRole('form', { name: 'Ajouter un mis en cause' });
    await add.getByLabel('Pseudonyme').fill(DEFENDANT);
    await add.getByLabel('Rôle dans les faits').selectOption('CLIENT');
    await add.getByRole('button', { name: 'Ajouter un mis en cause' }).click();
    await page.getByRole('status').filter({ hasText: `Mis en cause « ${DEFENDANT} » ajouté.` }).waitFor();
    const row = () => defendants.locator('li').filter({ hasText: DEFENDANT_RENAMED });
    const first = defendants.locator('li').filter({ hasText: DEFENDANT });
    await first.filter({ hasText: 'Commanditaire' }).waitFor();

    await first.getByRole('button', { name: 'Modifier' }).click();
    const edit = page.getByRole('form', { name: `Modifier — ${DEFENDANT}` });
    assert.equal(await edit.getByLabel('Pseudonyme').inputValue(), DEFENDANT, 'the form starts from the current values');
    await edit.getByLabel('Pseudonyme').fill(DEFENDANT_RENAMED);
    await edit.getByLabel('Rôle dans les faits').selectOption('FACILITATOR');
    await edit.getByLabel('Pays de résidence').selectOption('PH');
    await checkScreen(page, 'defendant-edit-form', { avoid: [REFERENCE], widths: true });
    await edit.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('status').filter({ hasText: `Mis en cause « ${DEFENDANT_RENAMED} » modifié.` }).or(edit.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(edit), '', 'the defendant was updated');
    await row().filter({ hasText: 'Facilitateur' }).filter({ hasText: '(Philippines)' }).waitFor();
    // No identity yet: no reveal button.
    assert.equal(await row().getByRole('button', { name: /Afficher l’identité/ }).count(), 0);

    await row().getByRole('button', { name: 'Saisir l’identité' }).click();
    const idf = page.getByRole('form', { name: `Saisir l’identité — ${DEFENDANT_RENAMED}` });
    await idf.getByLabel('Nom et prénom(s)').fill(IDENTITY);
    await idf.getByLabel('Téléphone').fill('not a phone');
    await idf.getByRole('button', { name: 'Enregistrer l’identité' }).click();
    // The API's field error, in French, beside the field; what was typed stays.
    await idf.locator('.field-error').filter({ hasText: 'seulement des chiffres' }).waitFor();
    assert.equal(await idf.getByLabel('Nom et prénom(s)').inputValue(), IDENTITY, 'nothing typed is lost on error');
    await checkScreen(page, 'defendant-identity-form-error', { avoid: [REFERENCE, IDENTITY] });
    await idf.getByLabel('Téléphone').fill('+33 1 23 45 67 89');
    await idf.getByRole('button', { name: 'Enregistrer l’identité' }).click();
    await page.getByRole('status').filter({ hasText: `Identité de « ${DEFENDANT_RENAMED} » enregistrée.` }).waitFor();
    assert.ok(!(await page.content()).includes(IDENTITY), 'the identity entered is not shown back');

    await row().getByRole('button', { name: `Afficher l’identité — ${DEFENDANT_RENAMED}` }).click();
    const dialog = page.getByRole('dialog', { name: `Identité de ${DEFENDANT_RENAMED}` });
    await dialog.getByLabel('Motif de la consultation').fill(`Préparation de l’audience (e2e ${RUN})`);
    await dialog.getByRole('button', { name: 'Afficher l’identité' }).click();
    await dialog.getByText(IDENTITY).waitFor();
    // A recorded identity is corrected from the reveal, field by field — never retyped from an empty form.
    assert.equal(await row().getByRole('button', { name: 'Saisir l’identité' }).count(), 0, 'a recorded identity still offers “Saisir”');
    await dialog.getByRole('button', { name: 'Corriger l’identité' }).click();
    const fix = dialog.getByRole('form', { name: `Corriger l’identité — ${DEFENDANT_RENAMED}` });
    assert.equal(await fix.getByLabel('Nom et prénom(s)').inputValue(), IDENTITY, 'the correction starts from the recorded identity');
    assert.equal(await fix.getByLabel('Téléphone').inputValue(), '+33 1 23 45 67 89');
    await checkScreen(page, 'defendant-identity-correct', { avoid: [REFERENCE, IDENTITY] });
    await fix.getByLabel('Téléphone').fill('+33 1 98 76 54 32');
    await fix.getByRole('button', { name: 'Enregistrer la correction' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: `Identité de « ${DEFENDANT_RENAMED} » enregistrée.` }).waitFor();
    assert.ok(!(await page.content()).includes(IDENTITY), 'the identity is gone once the dialog is closed');
    // Revealed again: the corrected field changed, the others kept their value.
    await row().getByRole('button', { name: `Afficher l’identité — ${DEFENDANT_RENAMED}` }).click();
    await dialog.getByLabel('Motif de la consultation').fill(`Vérification de la correction (e2e ${RUN})`);
    await dialog.getByRole('button', { name: 'Afficher l’identité' }).click();
    await dialog.getByText(IDENTITY).waitFor();
    await dialog.getByText('+33 1 98 76 54 32').waitFor();
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('5. records a victim’s consent, relies on it for a CPP 2-22 constitution, then withdraws it', async () => {
    need('trial', 'the trial of test 2');
    await openDossier();
    const victim = section('Victimes').locator(':scope > ul > li').filter({ hasText: VICTIM });
    await victim.getByRole('button', { name: 'Accords (article 2-22 du Code de procédure pénale)' }).click();
    const panel = victim.getByRole('group', { name: `Accords donnés pour ${VICTIM}` });
    await panel.getByText('Aucun accord enregistré.').waitFor();
    await panel.getByRole('button', { name: 'Enregistrer un accord' }).click();
    const f = page.getByRole('form', { name: `Enregistrer un accord — ${VICTIM}` });
    await f.getByLabel('Donné par').selectOption('LEGAL_REPRESENTATIVE');
    await f.getByLabel('Date de l’accord').fill(parisDayIn(1));
    await f.getByLabel('Référence du document signé').fill(`ACC-${RUN}`);
    await f.getByRole('button', { name: 'Enregistrer l’accord' }).click();
    await f.locator('.field-error').filter({ hasText: 'ne peut pas être dans le futur' }).waitFor();
    await f.getByLabel('Date de l’accord').fill(parisDayIn(-200));
    await checkScreen(page, 'consent-form', { avoid: [REFERENCE, VICTIM] });
    await f.getByRole('button', { name: 'Enregistrer l’accord' }).click();
    await panel.getByRole('status').filter({ hasText: 'Accord enregistré.' }).or(f.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(f), '', 'the consent was recorded');
    await panel.locator('li').filter({ hasText: 'Accord donné par le représentant légal' }).or(panel.locator('li').filter({ hasText: `réf. ACC-${RUN}` })).first().waitFor();

    // The inquiry is closed; open a parallel trial and constitute under CPP 2-22 with this consent.
    await proceedings().getByRole('button', { name: 'Ouvrir une procédure' }).click();
    const o = page.getByRole('form', { name: 'Ouvrir une procédure' });
    await o.getByLabel('Étape').selectOption('APPEAL');
    await o.getByLabel('Autorité ou juridiction').selectOption('COUR_APPEL');
    await o.getByLabel('Date de début').fill(parisDayIn(-5));
    await o.getByRole('button', { name: 'Ouvrir la procédure' }).click();
    const appeal = stageItem('Appel');
    await appeal.waitFor();
    await appeal.getByRole('button', { name: 'Se constituer partie civile' }).click();
    const c = page.getByRole('form', { name: /^Se constituer partie civile — Appel/ });
    await c.getByLabel('Date de la constitution').fill(parisDayIn(-4));
    await c.getByLabel('Fondement').locator('option[value="CPP 2-22"]').waitFor({ state: 'attached' });
    await c.getByLabel('Fondement').selectOption('CPP 2-22');
    const consent = c.getByLabel('Accord de la victime ou de son représentant');
    await consent.locator('option').filter({ hasText: VICTIM }).waitFor({ state: 'attached' });
    const value = await consent.locator('option').filter({ hasText: VICTIM }).first().getAttribute('value');
    await consent.selectOption(value);
    await checkScreen(page, 'standing-constitute-2-22', { avoid: [REFERENCE] });
    await c.getByRole('button', { name: 'Enregistrer la constitution' }).click();
    await appeal.locator('.standings > li').filter({ hasText: 'l’article 2-22 du Code de procédure pénale' }).or(c.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(c), '', 'the CPP 2-22 constitution was recorded');

    // Withdraw the consent.
    await openDossier();
    const v2 = section('Victimes').locator(':scope > ul > li').filter({ hasText: VICTIM });
    await v2.getByRole('button', { name: 'Accords (article 2-22 du Code de procédure pénale)' }).click();
    const p2 = v2.getByRole('group', { name: `Accords donnés pour ${VICTIM}` });
    await p2.getByRole('button', { name: 'Enregistrer le retrait' }).click();
    const w = p2.getByRole('form', { name: 'Enregistrer le retrait' });
    await w.getByLabel('Date du retrait').fill(parisDayIn(-1));
    await w.getByRole('button', { name: 'Enregistrer le retrait' }).click();
    await p2.getByRole('status').filter({ hasText: 'Retrait de l’accord enregistré.' }).waitFor();
    await p2.locator('li').filter({ hasText: 'retiré le' }).waitFor();
    assert.equal(await p2.getByRole('button', { name: 'Enregistrer le retrait' }).count(), 0, 'a withdrawn consent cannot be withdrawn again');
    await checkScreen(page, 'consent-withdrawn', { avoid: [REFERENCE, VICTIM] });
  });

  test('6. withdraws the organisation’s constitution in the appeal: shown with its date, no decision offered any more', async () => {
    need('trial', 'the trial of test 2');
    await openDossier();
    const appeal = stageItem('Appel');
    const standing = appeal.locator('.standings > li').filter({ hasText: 'l’article 2-22 du Code de procédure pénale' });
    await standing.waitFor();
    assert.equal(await standing.getByRole('button', { name: 'Enregistrer la décision sur la recevabilité' }).count(), 1, 'a pending standing can be decided');
    await standing.getByRole('button', { name: 'Se désister' }).click();
    const w = page.getByRole('form', { name: /^Se désister — Appel/ });
    await w.getByText('La constitution reste dans l’historique').waitFor();
    // Before the constitution (4 days ago): the API refuses, beside the field.
    await w.getByLabel('Date du désistement').fill(parisDayIn(-6));
    await w.getByRole('button', { name: 'Enregistrer le désistement' }).click();
    await w.locator('.field-error').filter({ hasText: 'ne peut pas précéder la constitution' }).waitFor();
    const day = parisDayIn(-2);
    await w.getByLabel('Date du désistement').fill(day);
    await checkScreen(page, 'standing-withdraw-form', { avoid: [REFERENCE] });
    await w.getByRole('button', { name: 'Enregistrer le désistement' }).click();
    await appeal.getByRole('status').filter({ hasText: 'Désistement enregistré.' }).or(w.locator('.error-summary')).first().waitFor();
    assert.equal(await refused(w), '', 'the withdrawal was recorded');
    // Shown as the page shows every date (lib/datetime.ts formatDate): "24 novembre 2026".
    const [y, m, d] = day.split('-').map(Number);
    const shown = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(Date.UTC(y, m - 1, d, 12));
    await standing.filter({ hasText: `Désistement le ${shown}` }).waitFor();
    await standing.locator('.badge').filter({ hasText: 'Constitution retirée' }).waitFor();
    assert.equal(await standing.getByRole('button', { name: 'Enregistrer la décision sur la recevabilité' }).count(), 0, 'a withdrawn constitution is not decided');
    assert.equal(await standing.getByRole('button', { name: 'Se désister' }).count(), 0, 'a constitution is withdrawn once');
    await checkScreen(page, 'standing-withdrawn', { avoid: [REFERENCE] });

    // The API refuses both a decision and a second withdrawal.
    const { dossier } = await gql(page, `query($id: ID!) { dossier(id: $id) { proceedings { stage civilPartyStandings { id legalBasis withdrawnOn } } } }`, { id: state.dossierId });
    const st = dossier.proceedings.find((p) => p.stage === 'APPEAL').civilPartyStandings.find((x) => x.legalBasis === 'CPP 2-22');
    assert.equal(st.withdrawnOn, day);
    await assert.rejects(
      gql(page, `mutation($id: ID!, $input: DecideStandingInput!) { decideCivilPartyStanding(id: $id, input: $input) { id } }`, { id: st.id, input: { admissibility: 'ADMITTED', decidedOn: parisDayIn(-1) } }),
      /CONFLICT/,
    );
    await assert.rejects(
      gql(page, `mutation($id: ID!, $input: WithdrawStandingInput!) { withdrawCivilParty(id: $id, input: $input) { id } }`, { id: st.id, input: { withdrawnOn: parisDayIn(-1) } }),
      /CONFLICT/,
    );
  });
});
