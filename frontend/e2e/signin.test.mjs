// The sign-in screen: French by default, English on request, a French
// error for a wrong code, single sign-on failures explained, and nothing
// kept in storage.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { account, skipReason } from './lib/env.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { wrongCode } from './lib/codes.mjs';
import { checkScreen, checkStorageEmpty, fillSignIn, heading, openSignIn } from './lib/app.mjs';

const skip = skipReason();

describe('sign-in screen', { skip }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('shows in French, passes axe', async () => {
    const page = await newPage(browser);
    await openSignIn(page);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    assert.equal(await heading(page).textContent(), 'Connexion');
    assert.equal(await page.title(), 'Connexion — Égide');
    await checkScreen(page, 'sign-in', { widths: true });
    await checkStorageEmpty(page, 'sign-in screen');
    await page.context().close();
  });

  test('empty fields are said beside each field, nothing is sent', async () => {
    const page = await newPage(browser);
    await openSignIn(page);
    let sent = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/graphql' && (r.postData() ?? '').includes('login')) sent++;
    });
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const form = page.locator('main form');
    await form.locator('.field-error').first().waitFor();
    assert.equal(await form.locator('.field-error').count(), 2, 'an error beside the e-mail and the password, none beside the code');
    for (const label of ['Adresse e-mail', 'Mot de passe']) {
      assert.equal(await page.getByLabel(label).getAttribute('aria-invalid'), 'true', `${label} marked invalid`);
    }
    assert.equal(sent, 0, 'an empty sign-in was sent to the server');
    // No "session expirée" on a first visit.
    assert.equal(await page.getByText('session a expiré').count(), 0);
    await checkScreen(page, 'sign-in-empty', { widths: true });
    await page.context().close();
  });

  test('a wrong code shows a French error and keeps the user signed out', async () => {
    const page = await newPage(browser);
    await openSignIn(page);
    const acc = account('admin');
    await fillSignIn(page, acc, wrongCode(acc));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /incorrect|ne correspond pas|déjà été utilisé/, `French error, got ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, /\b(invalid|wrong|incorrect code|not match)\b/i, 'no English in the French error');
    assert.equal(await page.getByRole('button', { name: 'Se déconnecter' }).count(), 0, 'still signed out');
    // The password is kept for a new try but never put anywhere else.
    await checkScreen(page, 'sign-in-wrong-code');
    await checkStorageEmpty(page, 'after a failed sign-in');
    await page.context().close();
  });

  test('the language switch shows English', async () => {
    const page = await newPage(browser);
    await openSignIn(page);
    await page.getByRole('button', { name: 'English' }).click();
    await heading(page).filter({ hasText: 'Sign in' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');
    await page.getByLabel('Password').waitFor();
    await checkScreen(page, 'sign-in-en');
    await checkStorageEmpty(page, 'after switching language');
    // Opening with ?lang=en starts in English.
    await page.goto('/?lang=en');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.context().close();
  });

  test('a single sign-on that opened no session is explained, once', async () => {
    const page = await newPage(browser);
    await openSignIn(page, '/?sso=denied');
    const notice = page.getByRole('status').filter({ hasText: 'La connexion unique n’a pas abouti' });
    await notice.waitFor();
    assert.doesNotMatch(page.url(), /sso=/, 'the parameter leaves the address');
    // This dev server has no identity provider: no single sign-on offered.
    assert.equal(await page.getByRole('link', { name: /authentification unique/ }).count(), 0);
    await checkScreen(page, 'sign-in-sso-denied');
    await page.reload();
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
    assert.equal(await notice.count(), 0, 'said once');
    await page.context().close();
  });
});
