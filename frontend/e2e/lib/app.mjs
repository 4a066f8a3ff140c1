// What every screen test does: sign in and out through the UI, and the
// checks run on each screen visited (accessibility, privacy, screenshots).
import assert from 'node:assert/strict';
import AxeBuilderModule from '@axe-core/playwright';
import { IDENTITY_MARKER } from './env.mjs';
import { freshCode } from './codes.mjs';
import { screenshot, screenshotAtWidths } from './browser.mjs';

const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule;

/** The page's main heading (every screen has exactly one h1, in main). */
export const heading = (page) => page.locator('main h1');

/** Opens the app and waits for the sign-in form. */
export async function openSignIn(page, path = '/') {
  await page.goto(path);
  await page.getByRole('button', { name: /^(Se connecter|Sign in)$/ }).waitFor();
}

/** Fills the sign-in form (French labels). */
export async function fillSignIn(page, acc, code) {
  await page.getByLabel('Adresse e-mail').fill(acc.email);
  await page.getByLabel('Mot de passe').fill(acc.password);
  await page.getByLabel('Code à 6 chiffres').fill(code);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/** Signs acc in through the sign-in screen with a fresh TOTP code; waits for the signed-in header. */
export async function signIn(page, acc, path = '/') {
  await openSignIn(page, path);
  await fillSignIn(page, acc, await freshCode(acc));
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
  await assert.doesNotReject(heading(page).waitFor(), 'a heading after sign-in');
}

/** Signs out through the header button and waits for the sign-in screen. */
export async function signOut(page) {
  await page.getByRole('button', { name: /^(Se déconnecter|Sign out)$/ }).click();
  await page.getByRole('button', { name: /^(Se connecter|Sign in)$/ }).waitFor();
}

/** axe-core: no serious or critical violation on the page as it is now. */
export async function checkA11y(page, screen) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad
    .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}`).join('\n')}`)
    .join('\n');
  assert.equal(bad.length, 0, `axe on ${screen}: serious or critical violations:\n${report}`);
  return results;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * No personal data in the URL or the title: each path segment is a fixed
 * lowercase word or an id, the query carries at most ?lang=, no fragment;
 * the title is generic ("Screen — Égide": words only, no digits, no
 * reference, no identity), and neither holds anything of `avoid`.
 */
export async function checkPrivacy(page, screen, avoid = []) {
  const url = new URL(page.url());
  for (const seg of url.pathname.split('/').filter(Boolean)) {
    assert.ok(/^[a-z]+(-[a-z]+)*$/.test(seg) || UUID.test(seg), `${screen}: URL path segment ${JSON.stringify(seg)} is neither a fixed word nor an id`);
  }
  for (const k of url.searchParams.keys()) assert.equal(k, 'lang', `${screen}: URL query parameter ${k}`);
  assert.equal(url.hash, '', `${screen}: URL fragment`);
  const title = await page.title();
  assert.match(title, /^[\p{L}’' -]+ — Égide$/u, `${screen}: title ${JSON.stringify(title)} is not generic`);
  for (const s of [IDENTITY_MARKER, ...avoid].filter(Boolean)) {
    assert.ok(!decodeURIComponent(page.url()).includes(s), `${screen}: URL contains ${JSON.stringify(s)}`);
    assert.ok(!title.includes(s), `${screen}: title contains ${JSON.stringify(s)}`);
  }
}

/** Nothing in localStorage or sessionStorage. */
export async function checkStorageEmpty(page, when) {
  const s = await page.evaluate(() => ({
    local: Object.keys(window.localStorage),
    session: Object.keys(window.sessionStorage),
  }));
  assert.deepEqual(s, { local: [], session: [] }, `${when}: web storage is not empty`);
}

/** No uncaught page error or console error so far. */
export function checkNoPageErrors(page, screen) {
  assert.deepEqual(page.problems, [], `${screen}: errors in the page`);
}

/**
 * The checks of a screen once it shows: privacy, accessibility, no page
 * errors, and screenshots (at laptop and tablet widths when widths is set).
 * New screens call this once they have waited for their content.
 */
export async function checkScreen(page, screen, { avoid = [], widths = false } = {}) {
  await checkPrivacy(page, screen, avoid);
  await checkA11y(page, screen);
  checkNoPageErrors(page, screen);
  if (widths) await screenshotAtWidths(page, screen);
  else await screenshot(page, screen);
}

/** Runs a GraphQL query with the page's session (same origin, its cookie). */
export async function gql(page, query, variables = {}) {
  const r = await page.evaluate(
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
  if (r.errors) throw new Error(`graphql: ${JSON.stringify(r.errors)}`);
  return r.data;
}
