// A session that ends while the user works: an administrator ends it, or
// it is signed out from another tab on the same cookie. The next request
// takes the user to the sign-in screen with "Votre session a expiré…",
// nothing of the case left on screen; signing in again comes back to the
// same page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, IDENTITY_MARKER, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { freshCode } from './lib/codes.mjs';
import { checkScreen, checkStorageEmpty, fillSignIn, gql, heading, signIn, signOut } from './lib/app.mjs';
import { dossierWithIdentity } from './lib/data.mjs';

const skip = skipReason();
const EXPIRED = 'Votre session a expiré';

describe('session expiry', { skip }, () => {
  let browser;
  let page;
  let target;
  const jurist = account('legal_staff');

  /** The sign-in screen after an expiry: the message, no case data, the same path. */
  const expectExpired = async (path, screen, avoid) => {
    await page.getByRole('status').filter({ hasText: EXPIRED }).waitFor();
    await heading(page).filter({ hasText: 'Connexion' }).waitFor();
    assert.equal(new URL(page.url()).pathname, path, 'the address stays where the user was');
    assert.equal(await page.getByRole('dialog').count(), 0, 'no dialog left open');
    assert.equal(await page.locator('main section section, main article').count(), 0, 'no case screen left');
    const html = await page.content();
    for (const s of [IDENTITY_MARKER, ...avoid]) assert.ok(!html.includes(s), `${JSON.stringify(s)} is gone from the page`);
    assert.equal(await page.getByRole('button', { name: 'Se déconnecter' }).count(), 0, 'signed out');
    await checkScreen(page, screen, { avoid });
    await checkStorageEmpty(page, screen);
  };

  before(async () => {
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, jurist);
    target = await dossierWithIdentity(page);
  });
  after(async () => {
    await browser?.close();
  });

  test('ended by an administrator mid-action: the sign-in screen says so, then the user is back on the dossier', async () => {
    const path = `/dossiers/${target.dossier.id}`;
    await page.goto(path);
    await heading(page).filter({ hasText: target.dossier.reference }).waitFor();
    // Mid-action: the reveal dialog open, a reason typed.
    await page.getByRole('button', { name: `Afficher l’identité — ${target.victim.pseudonym}` }).click();
    const dialog = page.getByRole('dialog', { name: `Identité de ${target.victim.pseudonym}` });
    await dialog.getByLabel('Motif de la consultation').fill('Vérification de l’expiration de session (e2e)');

    // An administrator ends the jurist's sessions from another browser.
    const admin = await newPage(browser);
    await signIn(admin, account('admin'));
    const { endUserSessions } = await gql(admin, 'mutation($id: ID!) { endUserSessions(id: $id) }', { id: target.me.id });
    assert.ok(endUserSessions >= 1, `the jurist's session was ended (${endUserSessions})`);
    await signOut(admin);
    await admin.context().close();

    await dialog.getByRole('button', { name: 'Afficher l’identité' }).click();
    await expectExpired(path, 'session-expired', [target.dossier.reference, target.victim.pseudonym]);

    // Signing in again comes back to the dossier.
    await fillSignIn(page, jurist, await freshCode(jurist));
    await heading(page).filter({ hasText: target.dossier.reference }).waitFor();
    assert.equal(new URL(page.url()).pathname, path);
    assert.equal(await page.getByRole('status').filter({ hasText: EXPIRED }).count(), 0, 'the message is gone');
  });

  test('signed out from another tab on the same cookie: the next page the user opens says so', async () => {
    const path = `/dossiers/${target.dossier.id}`;
    await page.goto(path);
    await heading(page).filter({ hasText: target.dossier.reference }).waitFor();
    // Another tab with the same session cookie signs out.
    const other = await browser.newContext({ baseURL: new URL(page.url()).origin });
    await other.addCookies(await page.context().cookies());
    const tab = await other.newPage();
    await tab.goto('/');
    const r = await tab.evaluate(async () => (await fetch('/graphql', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Egide-CSRF': '1' }, body: JSON.stringify({ query: 'mutation { logout }' }),
    })).json());
    assert.ok(!r.errors, `logout from the other tab: ${JSON.stringify(r.errors)}`);
    await other.close();

    // The user goes on to the calendar (a client-side navigation).
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Calendrier' }).click();
    await expectExpired('/calendar', 'session-expired-calendar', [target.dossier.reference]);
    await fillSignIn(page, jurist, await freshCode(jurist));
    await heading(page).filter({ hasText: 'Calendrier des audiences' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/calendar');

    // Signing out on purpose starts the next session at home.
    await signOut(page);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.getByRole('status').filter({ hasText: 'Vous êtes déconnecté·e.' }).count(), 1);
  });
});
