// The data-protection officer erases a dossier's content (crypto-shredding
// of its documents and its people's identities). A jurist first opens a
// fresh dossier for it (no demo dossier is erased: other tests use them);
// the DPO finds it in the audit log, goes to the erase screen from there,
// meets the field error for an unknown dossier, must acknowledge that the
// erasure is final before the button works, then sees the counts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { account, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, gql, heading, signIn, signOut } from './lib/app.mjs';

const skip = skipReason();
const RUN = Date.now().toString(36).toUpperCase();
const REFERENCE = `E2E-EFF-${RUN}`;
const REASON = `Fin de la durée de conservation (e2e ${RUN})`;

describe('the DPO erases a dossier’s content', { skip }, () => {
  let browser;
  let dossierId;

  before(async () => {
    browser = await launch();
    // A jurist opens the dossier to erase: a victim with an identity, one document record.
    const page = await newPage(browser);
    await signIn(page, account('legal_staff'));
    const { createDossier } = await gql(page, `mutation($input: CreateDossierInput!) { createDossier(input: $input) { id } }`, {
      input: { reference: REFERENCE, title: 'Dossier à effacer (e2e)', themes: ['GROOMING'] },
    });
    dossierId = createDossier.id;
    const { addVictim } = await gql(page, `mutation($input: AddVictimInput!) { addVictim(input: $input) { id } }`, { input: { dossierId, pseudonym: `Victime-EFF-${RUN}`, ageAtFacts: 14 } });
    await gql(page, `mutation($id: ID!, $input: IdentityInput!) { setVictimIdentity(id: $id, input: $input) { id hasIdentity } }`, { id: addVictim.id, input: { legalName: `Nom effacé ${RUN}` } });
    await gql(page, `mutation($input: CreateEvidenceInput!) { createEvidence(input: $input) { id } }`, {
      input: { dossierId, kind: 'COMPLAINT', title: `Plainte à effacer ${RUN}`, fileName: 'plainte.pdf', idempotencyKey: `e2e-erase-${RUN}` },
    });
    await signOut(page);
    await page.context().close();
  });
  after(async () => {
    await browser?.close();
  });

  test('from the audit log to the erase screen: unknown dossier on its field, explicit confirmation, then the counts', async () => {
    const dpo = await newPage(browser);
    await signIn(dpo, account('dpo'));
    await dpo.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Journal d’audit' }).click();
    await heading(dpo).filter({ hasText: 'Journal d’audit' }).waitFor();
    const search = dpo.getByRole('search');
    await search.getByLabel('Identifiant du dossier').fill(dossierId);
    await search.getByRole('button', { name: 'Rechercher' }).click();
    const row = dpo.locator('main table.audit tbody tr').filter({ has: dpo.locator(`.audit-dossier [data-id="${dossierId}"]`) }).first();
    await row.waitFor();
    await row.getByRole('link', { name: `Effacer le contenu de ce dossier… ${dossierId.slice(0, 8)}…` }).click();

    // The erase screen, the identifier filled in from the audit log.
    await heading(dpo).filter({ hasText: 'Effacer le contenu d’un dossier' }).waitFor();
    assert.equal(new URL(dpo.url()).pathname, '/audit/erase');
    const form = dpo.getByRole('form', { name: 'Effacer le contenu d’un dossier' });
    const idField = form.getByLabel('Identifiant du dossier');
    assert.equal(await idField.inputValue(), dossierId);
    const erase = form.getByRole('button', { name: 'Effacer définitivement' });
    assert.ok(await erase.isDisabled(), 'the button waits for the confirmation');
    await checkScreen(dpo, 'erase-form', { avoid: [REFERENCE] });

    // An unknown dossier: said on the identifier field.
    await idField.fill(randomUUID());
    await form.getByLabel('Motif de l’effacement').fill(REASON);
    await form.getByRole('checkbox', { name: 'Je comprends que cet effacement est définitif' }).check();
    assert.ok(await erase.isEnabled(), 'the button works once the erasure is acknowledged as final');
    await erase.click();
    await form.locator('.field-error').filter({ hasText: 'Aucun dossier de l’association ne porte cet identifiant.' }).waitFor();
    assert.equal(await idField.getAttribute('aria-invalid'), 'true');
    await checkScreen(dpo, 'erase-not-found');

    // The right dossier: erased, with the counts and the time.
    await idField.fill(dossierId);
    await erase.click();
    const done = dpo.getByRole('status').filter({ hasText: 'Contenu du dossier effacé le' });
    await done.waitFor();
    assert.match(await done.textContent(), /effacé le \S+ \d{1,2} \S+ \d{4} à \d{2}:\d{2}\./, "the time, in Paris");
    const shown = await done.locator('dl').evaluate((dl) => Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()])));
    assert.equal(shown['Pièces rendues illisibles'], '1');
    assert.equal(shown['Identités rendues illisibles'], '1');
    assert.equal(shown['Identifiant du dossier'], dossierId);
    // The form is cleared and locked again.
    assert.equal(await idField.inputValue(), '');
    assert.ok(await erase.isDisabled());
    await checkScreen(dpo, 'erase-done', { avoid: [REFERENCE] });

    // The erasure is in the audit log, with its reason.
    const { auditEvents } = await gql(dpo, `query($filter: AuditFilter) { auditEvents(filter: $filter, first: 10) { nodes { action reason outcome } } }`, {
      filter: { dossierId, action: 'dossier.erase' },
    });
    assert.deepEqual(auditEvents.nodes.map((e) => [e.action, e.reason, e.outcome]), [['dossier.erase', REASON, 'ALLOWED']]);
    await signOut(dpo);
    await dpo.context().close();
  });
});
