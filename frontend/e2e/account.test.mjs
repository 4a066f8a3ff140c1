// Accounts: an administrator ends a user's sessions (the user is back at
// the sign-in screen), and a user replaces their recovery codes from "Mon
// compte" with a current TOTP code; a new code then signs them in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { freshCode, wrongCode } from './lib/codes.mjs';
import { checkScreen, checkStorageEmpty, fillSignIn, heading, signIn, signOut } from './lib/app.mjs';

const skip = skipReason();

describe('accounts', { skip }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('an administrator ends a user’s sessions', async () => {
    const target = account('plaidoyer');
    const user = await newPage(browser);
    await signIn(user, target);

    const admin = await newPage(browser);
    await signIn(admin, account('admin'));
    await admin.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Administration' }).click();
    await heading(admin).filter({ hasText: 'Utilisateurs' }).waitFor();
    await admin.getByRole('link', { name: target.displayName, exact: true }).click();
    await heading(admin).filter({ hasText: target.displayName }).waitFor();
    let asked = '';
    admin.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await admin.getByRole('button', { name: 'Fermer ses sessions' }).click();
    const done = admin.getByRole('status').filter({ hasText: /session(s)? fermée(s)?\./ });
    await done.waitFor();
    assert.match(asked, /^Fermer toutes les sessions de ce compte/);
    const n = Number((await done.textContent()).match(/^(\d+) session/)?.[1]);
    assert.ok(n >= 1, `at least the session just opened was ended (${await done.textContent()})`);
    await checkScreen(admin, 'admin-user-sessions-ended', { avoid: [target.email, target.displayName] });
    await signOut(admin);
    await admin.context().close();

    // The user's next request lands on the sign-in screen.
    await user.reload();
    await user.getByRole('button', { name: 'Se connecter' }).waitFor();
    assert.equal(await user.getByRole('button', { name: 'Se déconnecter' }).count(), 0);
    await user.context().close();
  });

  test('a user sees their open sessions on “Mon compte” and signs out another browser', async () => {
    const acc = account('plaidoyer');
    const elsewhere = await newPage(browser);
    await signIn(elsewhere, acc);
    const page = await newPage(browser);
    await signIn(page, acc);
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mon compte' }).click();
    await heading(page).filter({ hasText: 'Mon compte' }).waitFor();
    const sessions = page.getByRole('table', { name: 'Sessions ouvertes' });
    await sessions.waitFor();
    assert.ok((await sessions.locator('tbody tr').count()) >= 2, 'both browsers are listed');
    assert.equal(await sessions.getByText('Cette session', { exact: true }).count(), 1, 'one row is this session');
    await checkScreen(page, 'account-sessions', { avoid: [acc.email], widths: true });
    // Sign out every other browser, one by one.
    for (let left = await sessions.getByRole('button', { name: /^Fermer cette session/ }).count(); left > 0; left--) {
      await sessions.getByRole('button', { name: /^Fermer cette session/ }).first().click();
      await page.getByRole('status').filter({ hasText: 'Session fermée.' }).waitFor();
      await page.waitForFunction((n) => document.querySelectorAll('table tbody tr button').length < n, left);
    }
    assert.equal(await sessions.locator('tbody tr').count(), 1, 'only this session is left');
    // The other browser's next request lands on the sign-in screen, this one stays signed in.
    await elsewhere.reload();
    await elsewhere.getByRole('button', { name: 'Se connecter' }).waitFor();
    await page.reload();
    await heading(page).filter({ hasText: 'Mon compte' }).waitFor();

    // The password form: mismatched confirmation said locally, a wrong current password by the API, beside each field.
    const form = page.getByRole('form', { name: 'Mot de passe' });
    await form.getByLabel('Mot de passe actuel').fill('pas-le-bon-mot-de-passe');
    await form.getByLabel('Nouveau mot de passe', { exact: true }).fill('Granite-Harbour-Willow-7302');
    await form.getByLabel('Confirmer le nouveau mot de passe').fill('Granite-Harbour-Willow-7303');
    await form.getByRole('button', { name: 'Changer de mot de passe' }).click();
    await form.locator('.field-error').filter({ hasText: 'ne correspondent pas' }).waitFor();
    await form.getByLabel('Confirmer le nouveau mot de passe').fill('Granite-Harbour-Willow-7302');
    await form.getByRole('button', { name: 'Changer de mot de passe' }).click();
    await form.locator('.field-error').filter({ hasText: 'mot de passe actuel' }).waitFor();
    await checkScreen(page, 'account-password-error', { avoid: [acc.email] });
    await signOut(page);
    await page.context().close();
    await elsewhere.context().close();
  });

  test('a user replaces their recovery codes from “Mon compte”; a new one signs them in', async () => {
    const acc = account('juriste2');
    const page = await newPage(browser);
    await signIn(page, acc);
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mon compte' }).click();
    await heading(page).filter({ hasText: 'Mon compte' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account');
    await checkScreen(page, 'account', { avoid: [acc.email, acc.displayName] });

    const form = page.getByRole('form', { name: 'Codes de secours' });
    const codeField = form.getByLabel('Code à 6 chiffres de l’application');
    const submit = form.getByRole('button', { name: 'Générer de nouveaux codes de secours' });
    // A code that does not match: said on the field.
    await codeField.fill(wrongCode(acc));
    await submit.click();
    await form.locator('.field-error').first().waitFor();
    assert.equal(await codeField.getAttribute('aria-invalid'), 'true');
    await checkScreen(page, 'account-code-refused');

    await codeField.fill(await freshCode(acc));
    await submit.click();
    await page.getByRole('status').filter({ hasText: 'Vos nouveaux codes de secours ont été générés.' }).waitFor();
    await page.getByText('Vos anciens codes de secours ne fonctionnent plus.').waitFor();
    const codes = (await page.getByRole('list', { name: 'Codes de secours' }).locator('li').allTextContents()).map((c) => c.trim());
    assert.ok(codes.length >= 5, `the new codes are shown (${codes.length})`);
    await checkScreen(page, 'account-new-codes', { avoid: codes });
    await checkStorageEmpty(page, 'recovery codes shown');

    // Shown once: gone when the user says they kept them.
    await page.getByRole('button', { name: 'J’ai conservé mes codes' }).click();
    assert.equal(await page.getByRole('list', { name: 'Codes de secours' }).count(), 0);
    assert.ok(!(await page.content()).includes(codes[0]), 'the codes left the page');

    // A new code replaces the TOTP code at sign-in.
    await signOut(page);
    await fillSignIn(page, acc, codes[0]);
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    await signOut(page);
    await page.context().close();
  });
});
