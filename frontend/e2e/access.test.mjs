// What each role may see: a partner lawyer only the dossiers assigned to
// them; an advocacy coordinator no identity anywhere.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, IDENTITY_MARKER, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, checkStorageEmpty, heading, signIn, signOut } from './lib/app.mjs';
import { listDossiers } from './lib/data.mjs';

const skip = skipReason();

describe('access by role', { skip }, () => {
  let browser;
  let everything; // every dossier of the organisation, as an admin lists them
  before(async () => {
    browser = await launch();
    const page = await newPage(browser);
    await signIn(page, account('admin'));
    everything = await listDossiers(page);
    await signOut(page);
    await page.context().close();
  });
  after(async () => {
    await browser?.close();
  });

  test('a partner lawyer sees only assigned dossiers', async () => {
    const page = await newPage(browser);
    await signIn(page, account('partner_lawyer'));
    const mine = await listDossiers(page);
    assert.ok(mine.totalCount > 0, 'the seed assigns dossiers to the lawyer');
    assert.ok(mine.totalCount < everything.totalCount, `fewer than the organisation's (${mine.totalCount} of ${everything.totalCount})`);

    await page.getByRole('link', { name: 'Dossiers' }).click();
    await page.getByRole('status').filter({ hasText: `${mine.totalCount} dossier` }).waitFor();
    const refs = await page.locator('main table tbody tr td:first-child').allTextContents();
    assert.deepEqual(refs.sort(), mine.nodes.map((n) => n.reference).sort(), 'the list is the API list for this user');
    await checkScreen(page, 'dossier-list-partner_lawyer');

    // A dossier the lawyer is not assigned to: absent from the list, and
    // its page (opened by id) says "not found or no access".
    const mineIds = new Set(mine.nodes.map((n) => n.id));
    const other = everything.nodes.find((n) => !mineIds.has(n.id));
    assert.ok(!refs.includes(other.reference), `${other.reference} is not listed`);
    await page.goto(`/dossiers/${other.id}`);
    await page.getByRole('alert').filter({ hasText: 'n’existe pas ou vous n’y avez pas accès' }).waitFor();
    assert.ok(!(await page.content()).includes(other.title), 'nothing of the unassigned dossier shows');
    await checkScreen(page, 'dossier-denied-partner_lawyer');

    // An assigned one opens.
    await page.goto(`/dossiers/${mine.nodes[0].id}`);
    await heading(page).filter({ hasText: mine.nodes[0].reference }).waitFor();
    await signOut(page);
    await checkStorageEmpty(page, 'lawyer after sign-out');
    await page.context().close();
  });

  test('an advocacy coordinator sees no identity anywhere', async () => {
    const page = await newPage(browser);
    // Every GraphQL answer, not only what the screens show.
    const bodies = [];
    page.on('response', async (r) => {
      if (new URL(r.url()).pathname === '/graphql') bodies.push(r.text().catch(() => ''));
    });
    const noIdentity = async (where) => assert.ok(!(await page.content()).includes(IDENTITY_MARKER), `${where}: an identity shows`);

    await signIn(page, account('advocacy'));
    await page.getByRole('heading', { level: 2, name: 'Prochaines audiences', exact: true }).waitFor();
    await noIdentity('home');
    await page.getByRole('link', { name: 'Dossiers' }).click();
    await page.locator('main table tbody tr').first().waitFor();
    await noIdentity('dossier list');
    await checkScreen(page, 'dossier-list-advocacy');
    // Every dossier page the list links to on its first page.
    const hrefs = await page.locator('main table tbody tr td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.length > 0);
    for (const [i, href] of hrefs.entries()) {
      await page.locator(`main table a[href="${href}"]`).click();
      await page.locator('main article h1').waitFor();
      await page.getByRole('heading', { level: 2, name: 'Victimes', exact: true }).waitFor();
      await noIdentity(href);
      if (i === 0) await checkScreen(page, 'dossier-page-advocacy');
      await page.goBack();
      await page.locator('main table tbody tr').first().waitFor();
    }
    await signOut(page);
    const all = await Promise.all(bodies);
    assert.ok(all.length > hrefs.length, 'GraphQL answers were seen');
    for (const b of all) assert.ok(!b.includes(IDENTITY_MARKER), 'a GraphQL answer holds an identity');
    await checkStorageEmpty(page, 'advocacy after sign-out');
    await page.context().close();
  });
});
