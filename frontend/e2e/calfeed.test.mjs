// Calendar subscription (issue 13): a jurist creates a link on "Mon
// compte", which is shown once; a calendar application (here Node's fetch,
// without cookie or header) reads a valid VCALENDAR with the demo hearings;
// the jurist revokes the link and the same URL answers 404, like an
// unknown one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { account, skipReason, BASE_URL, SCREENSHOT_DIR } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { checkScreen, heading, signIn, signOut } from './lib/app.mjs';

const skip = skipReason();

describe('calendar feed', { skip }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('a jurist subscribes a calendar, then revokes the link', async () => {
    const acc = account('legal_staff');
    const page = await newPage(browser);
    await signIn(page, acc);
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mon compte' }).click();
    await heading(page).filter({ hasText: 'Mon compte' }).waitFor();
    const section = page.getByRole('region', { name: 'Calendrier dans votre agenda' });
    await section.waitFor();
    await section.getByText('toute personne qui le connaît peut lire ce calendrier', { exact: false }).waitFor();
    await section.getByRole('button', { name: 'Créer un lien d’abonnement' }).click();
    const field = section.getByLabel('Lien d’abonnement');
    await field.waitFor();
    const url = await field.inputValue();
    assert.match(url, /^https?:\/\/[^/]+\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    await checkScreen(page, 'account-calendar-feed-created', { avoid: [acc.email], widths: true });

    // A calendar application: no cookie, no header.
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const ics = await res.text();
    // Kept beside the screenshots (gitignored) for a reviewer to read.
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(SCREENSHOT_DIR, 'calfeed-sample.ics'), ics);
    assert.ok(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'), ics.slice(0, 80));
    assert.ok(ics.endsWith('END:VCALENDAR\r\n'));
    for (const line of ics.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `line over 75 octets: ${line}`);
    const unfolded = ics.replaceAll('\r\n ', '');
    const events = unfolded.split('BEGIN:VEVENT').length - 1;
    assert.equal(events, unfolded.split('END:VEVENT').length - 1);
    assert.ok(/SUMMARY:Audience — [^\r\n]+ — [^\r\n]+/.test(unfolded), 'the demo hearings are in the feed');
    assert.ok(/SUMMARY:Échéance — [^\r\n]+ — [^\r\n]+/.test(unfolded), 'the demo deadlines are in the feed');
    assert.ok(/DTSTART;VALUE=DATE:\d{8}\r\nDTEND;VALUE=DATE:\d{8}/.test(unfolded), 'deadlines are all-day events');
    assert.ok(/DTSTART:\d{8}T\d{6}Z/.test(unfolded));
    assert.ok(/UID:[0-9a-f-]{36}@egide/.test(unfolded));
    assert.ok(unfolded.includes(`URL:${BASE_URL}/dossiers/`), 'each event links to its dossier');
    assert.ok(!unfolded.includes('NOM-DEMO'), 'no identity in the feed');
    assert.ok(!unfolded.includes(acc.email) && !unfolded.includes(acc.displayName), 'no user identity in the feed');

    // Dismiss the URL: it is not shown again; the link is listed.
    await section.getByRole('button', { name: 'J’ai copié le lien' }).click();
    assert.equal(await section.getByLabel('Lien d’abonnement').count(), 0);
    assert.ok(!(await page.content()).includes(url.split('/calendar/')[1]), 'the token is not on the page any more');
    const table = section.getByRole('table', { name: 'Vos liens d’abonnement' });
    await table.waitFor();
    await page.reload();
    await heading(page).filter({ hasText: 'Mon compte' }).waitFor();
    await table.locator('tbody tr').first().waitFor();
    await checkScreen(page, 'account-calendar-feeds', { avoid: [acc.email], widths: true });

    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    const rows = await table.locator('tbody tr').count();
    await table.getByRole('button', { name: /^Révoquer/ }).first().click();
    await page.getByRole('status').filter({ hasText: 'Le lien a été révoqué.' }).waitFor();
    assert.match(asked, /^Révoquer ce lien/);
    if (rows === 1) await section.getByText('Vous n’avez aucun lien d’abonnement.').waitFor();

    const gone = await fetch(url);
    assert.equal(gone.status, 404);
    const unknown = await fetch(`${BASE_URL}/calendar/${'A'.repeat(43)}.ics`);
    assert.equal(unknown.status, 404);
    assert.equal(await gone.text(), await unknown.text(), 'a revoked link answers like an unknown one');
    await signOut(page);
    await page.context().close();
  });
});
