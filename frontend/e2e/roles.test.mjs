// Every role signs in with its TOTP code, sees the home page, and signs
// out back to the sign-in screen, leaving nothing in web storage.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, IDENTITY_MARKER, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, checkStorageEmpty, heading, signIn, signOut } from './lib/app.mjs';

const skip = skipReason();

// One account per role (juriste1 is the dossier tests' jurist).
const ROLES = [
  ['legal_staff', 'juriste2'],
  ['partner_lawyer', 'avocate'],
  ['advocacy', 'plaidoyer'],
  ['dpo', 'dpo'],
  ['admin', 'admin'],
];

describe('each role signs in and out', { skip }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const [role, who] of ROLES) {
    test(role, async () => {
      const acc = account(who);
      assert.equal(acc.role, role);
      const page = await newPage(browser);
      await signIn(page, acc);
      await heading(page).filter({ hasText: 'Mes prochaines audiences' }).waitFor();
      assert.equal(await page.title(), 'Accueil — Égide');
      await page.getByText(acc.displayName).waitFor();
      // The hearings have loaded (a table, "none", or an error for a role without dossiers).
      await page.locator('main table, main .error-summary, main p:has-text("Aucune audience")').first().waitFor();
      assert.ok(!(await page.content()).includes(IDENTITY_MARKER), `${role}: an identity shows on the home page`);
      await checkScreen(page, `home-${role}`, { avoid: [acc.email, acc.displayName], widths: role === 'legal_staff' });
      await checkStorageEmpty(page, `${role} signed in`);

      await signOut(page);
      assert.equal(await heading(page).textContent(), 'Connexion');
      await page.getByText('Vous êtes déconnecté·e.').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Se déconnecter' }).count(), 0);
      assert.equal(new URL(page.url()).pathname, '/');
      await checkScreen(page, `signed-out-${role}`);
      await checkStorageEmpty(page, `${role} after sign-out`);
      // The session is gone on the server too: a reload lands on sign-in.
      await page.reload();
      await page.getByRole('button', { name: 'Se connecter' }).waitFor();
      await page.context().close();
    });
  }
});
