// Separation of duties (docs/security.md): an administrator who tries to
// grant themselves legal staff is refused, and the data-protection officer
// finds the attempt with the « Changements de droits » switch of the audit
// screen, which shows only changes of rights.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, gql, heading, signIn, signOut } from './lib/app.mjs';

const skip = skipReason();

// auditlog.PrivilegeActions, and the refusals of the permissions they need.
const PRIVILEGE = ['user.create', 'user.roles', 'dossier.assign', 'dossier.unassign', 'dossier.share', 'dossier.unshare',
  'user.password.reset', 'user.totp.reset', 'user.sessions.end', 'user.disable', 'user.enable', 'access.denied'];

/** Posts a GraphQL request and returns the whole answer (errors included). */
async function raw(page, query, variables = {}) {
  return page.evaluate(
    async ({ query, variables }) => {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Egide-CSRF': '1' },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    },
    { query, variables },
  );
}

describe('separation of duties', { skip }, () => {
  let browser;
  let adminId;

  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('an administrator cannot grant themselves legal staff, and is told why', async () => {
    const page = await newPage(browser);
    await signIn(page, account('admin'));
    ({ me: { id: adminId } } = await gql(page, `{ me { id } }`));
    const r = await raw(page, `mutation($id: ID!) { setUserRoles(id: $id, roles: [ADMIN, LEGAL_STAFF]) { id } }`, { id: adminId });
    assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(r));
    assert.match(r.errors[0].message, /your own roles/);
    // Their own page does not offer it.
    await page.goto(`/admin/users/${adminId}`);
    await page.getByText('Vos propres rôles sont modifiés par un autre administrateur.').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Enregistrer les rôles' }).isDisabled());
    await signOut(page);
    await page.context().close();
  });

  test('the DPO finds it with « Changements de droits »', async () => {
    assert.ok(adminId, 'the first test got the administrator’s id');
    const dpo = await newPage(browser);
    await signIn(dpo, account('dpo'));
    await dpo.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Journal d’audit' }).click();
    await heading(dpo).filter({ hasText: 'Journal d’audit' }).waitFor();
    const toggle = dpo.getByRole('checkbox', { name: 'Changements de droits' });
    await toggle.check();
    const row = dpo.locator('main table.audit tbody tr').filter({ hasText: 'access.denied' }).filter({ has: dpo.locator(`[data-id="${adminId}"]`) });
    await row.first().waitFor();
    const actions = await dpo.locator('main table.audit tbody tr td:nth-child(3) code').allTextContents();
    assert.ok(actions.length > 0 && actions.every((a) => PRIVILEGE.includes(a)), `only changes of rights (${[...new Set(actions)].join(', ')})`);
    await checkScreen(dpo, 'audit-privilege', { widths: true }); // 1366×768 and 768×1024
    await toggle.uncheck();
    await dpo.locator('main table.audit tbody tr td:nth-child(3) code').filter({ hasText: 'audit.search' }).first().waitFor();
    await signOut(dpo);
    await dpo.context().close();
  });
});
