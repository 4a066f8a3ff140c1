// Keyboard only: a jurist signs in, reaches a dossier through the list's
// search and reveals a victim's identity with Tab, Enter, Escape and
// typing. Focus is always visible, moves into each dialog and returns to
// what opened it when the dialog closes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, IDENTITY_MARKER, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { freshCode } from './lib/codes.mjs';
import { checkScreen, heading, openSignIn, signIn, signOut } from './lib/app.mjs';
import { dossierWithIdentity } from './lib/data.mjs';

const skip = skipReason();

/** The focused element: its tag, its name (label, aria-label or text), whether its focus shows. */
function focused(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return { tag: 'BODY', name: '', visible: false, inDialog: false };
    const label = e.labels?.[0]?.textContent ?? e.getAttribute('aria-label') ?? e.textContent ?? '';
    const style = getComputedStyle(e);
    return {
      tag: e.tagName,
      name: label.replace(/\s+/g, ' ').trim(),
      visible: e.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
      inDialog: !!e.closest('dialog'),
    };
  });
}

/** Presses Tab until the focused element passes ok (at most max times); checks its focus shows. */
async function tabTo(page, what, ok, max = 200) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (ok(f)) {
      assert.ok(f.visible, `${what}: the focus is visible (${JSON.stringify(f)})`);
      return f;
    }
  }
  throw new Error(`e2e: Tab never reached ${what}`);
}

describe('keyboard only', { skip }, () => {
  let browser;
  let target;
  const jurist = account('legal_staff');

  before(async () => {
    browser = await launch();
    // The subject: a dossier of the jurist's with an identity to reveal.
    const p = await newPage(browser);
    await signIn(p, jurist);
    target = await dossierWithIdentity(p);
    await signOut(p);
    await p.context().close();
  });
  after(async () => {
    await browser?.close();
  });

  test('a jurist reaches a dossier and reveals an identity with the keyboard alone', async () => {
    const page = await newPage(browser);
    const { dossier, victim } = target;
    await openSignIn(page);
    await tabTo(page, 'the e-mail field', (f) => f.tag === 'INPUT' && f.name === 'Adresse e-mail');
    await page.keyboard.type(jurist.email);
    await tabTo(page, 'the password field', (f) => f.tag === 'INPUT' && f.name === 'Mot de passe');
    await page.keyboard.type(jurist.password);
    await tabTo(page, 'the code field', (f) => f.tag === 'INPUT' && f.name === 'Code à 6 chiffres');
    await page.keyboard.type(await freshCode(jurist));
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();

    await tabTo(page, 'the Dossiers link', (f) => f.tag === 'A' && f.name === 'Dossiers');
    await page.keyboard.press('Enter');
    await heading(page).filter({ hasText: 'Dossiers' }).waitFor();
    await tabTo(page, 'the search field', (f) => f.tag === 'INPUT' && f.name.startsWith('Rechercher'));
    await page.keyboard.type(dossier.reference);
    await page.keyboard.press('Enter');
    await page.locator('main table a').filter({ hasText: dossier.reference }).first().waitFor();
    await tabTo(page, `the link to ${dossier.reference}`, (f) => f.tag === 'A' && f.name === dossier.reference);
    await page.keyboard.press('Enter');
    await heading(page).filter({ hasText: dossier.reference }).waitFor();

    const opener = `Afficher l’identité — ${victim.pseudonym}`;
    await tabTo(page, 'the reveal button', (f) => f.tag === 'BUTTON' && f.name === opener);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Identité de ${victim.pseudonym}` });
    await dialog.waitFor();
    let f = await focused(page);
    assert.ok(f.inDialog && f.tag === 'TEXTAREA' && f.name === 'Motif de la consultation', `focus moves into the dialog, on the reason (${JSON.stringify(f)})`);
    assert.ok(f.visible, 'and shows');
    // Escape closes it and gives the focus back to the button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    f = await focused(page);
    assert.equal(f.name, opener, 'focus returns to the reveal button after Escape');
    assert.ok(f.visible, 'visibly');

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.type('Préparation de l’audience (test clavier)');
    // Tab stays inside the dialog and reaches its submit button.
    f = await tabTo(page, 'the confirm button', (x) => x.tag === 'BUTTON' && x.name === 'Afficher l’identité', 10);
    assert.ok(f.inDialog, 'the confirm button is in the dialog');
    await page.keyboard.press('Enter');
    await dialog.getByText(IDENTITY_MARKER).first().waitFor();
    f = await focused(page);
    assert.ok(f.inDialog && f.name === 'Fermer', `focus goes to the close button once the identity shows (${JSON.stringify(f)})`);
    await checkScreen(page, 'keyboard-reveal', { avoid: [dossier.reference, victim.pseudonym] });
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    f = await focused(page);
    assert.equal(f.name, opener, 'focus returns to the reveal button after closing');
    assert.ok(f.visible, 'visibly');
    assert.ok(!(await page.content()).includes(IDENTITY_MARKER), 'the identity is gone once the dialog is closed');
    await page.context().close();
  });
});
