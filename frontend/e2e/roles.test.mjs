// Every role signs in with its TOTP code, sees the home page, and signs
// out back to the sign-in screen, leaving nothing in web storage.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, IDENTITY_MARKER, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, checkStorageEmpty, gql, heading, signIn, signOut } from './lib/app.mjs';

const skip = skipReason();

// One account per role (juriste1 is the dossier tests' jurist).
// Each role's home shows its own panels (h2) and never a refusal.
const ROLES = [
  ['legal_staff', 'juriste2', ['Prochaines audiences', 'Prochaines échéances']],
  ['partner_lawyer', 'avocate', ['Mes prochaines audiences', 'Mes prochaines échéances']],
  ['advocacy', 'plaidoyer', ['Prochaines audiences']],
  ['dpo', 'dpo', ['À surveiller']],
  ['admin', 'admin', ['Membres de l’association']],
];

const DENIED_BY_ME = `query($actor: ID!) { auditEvents(first: 100, filter: { actorId: $actor, outcome: DENIED }) { nodes { id action } } }`;

describe('each role signs in and out', { skip }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const [role, who, panels] of ROLES) {
    test(role, async () => {
      const acc = account(who);
      assert.equal(acc.role, role);
      const page = await newPage(browser);
      await signIn(page, acc);
      await heading(page).filter({ hasText: `Bonjour ${acc.displayName}` }).waitFor();
      assert.equal(await page.title(), 'Accueil — Égide');
      for (const name of panels) await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
      // Deadlines only for those who meet them (and who may read them).
      if (!panels.some((p) => p.includes('échéances'))) {
        assert.equal(await page.getByRole('heading', { level: 2, name: /échéances/ }).count(), 0, `${role}: a deadlines panel`);
      }
      // Every panel has loaded: a table or its "none" line in each.
      await page.waitForFunction(() => !document.querySelector('main .loading'));
      assert.equal(await page.locator('main .error-summary').count(), 0, `${role}: the home page shows an error`);
      assert.ok(!(await page.content()).includes('Vous n’avez pas le droit'), `${role}: the home page shows a refusal`);
      if (role === 'dpo') {
        // Her visits to the home page write no refusal (they once asked for hearings).
        const { me } = await gql(page, 'query { me { id } }');
        const before = (await gql(page, DENIED_BY_ME, { actor: me.id })).auditEvents.nodes.length;
        await page.reload();
        await page.getByRole('heading', { level: 2, name: 'À surveiller' }).waitFor();
        await page.waitForFunction(() => !document.querySelector('main .loading'));
        const after = (await gql(page, DENIED_BY_ME, { actor: me.id })).auditEvents.nodes.length;
        assert.equal(after, before, 'a DPO visit to the home page wrote an access.denied event');
        // Her screens under /audit/ survive a reload or a bookmark (once a plain 404).
        for (const [path, title] of [['/audit', 'Journal d’audit'], ['/audit/access-report', 'Rapport d’accès'], ['/audit/erase', 'Effacement']]) {
          await page.goto(path);
          await heading(page).waitFor();
          assert.ok((await page.title()).startsWith(title), `${path} reloaded: title ${await page.title()}`);
        }
        await page.goto('/');
        await heading(page).filter({ hasText: 'Bonjour' }).waitFor();
      }
      assert.ok(!(await page.content()).includes(IDENTITY_MARKER), `${role}: an identity shows on the home page`);
      await checkScreen(page, `home-${role}`, { avoid: [acc.email, acc.displayName], widths: true });
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
