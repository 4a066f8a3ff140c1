// Debian's Chromium driven by playwright-core: no browser download, a fresh
// profile per launch, and the flags this machine's closed network needs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE_URL, CHROMIUM, SCREENSHOT_DIR } from './env.mjs';

// The screens people use: a 1366×768 laptop and a 768×1024 tablet.
export const VIEWPORTS = {
  laptop: { width: 1366, height: 768 },
  tablet: { width: 768, height: 1024 },
};

/**
 * Starts Chromium. Playwright gives every plain launch a fresh, empty
 * --user-data-dir of its own (a new temporary folder, removed at close);
 * it refuses the flag in args (that is launchPersistentContext's job).
 */
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // French like its users (with Debian's chromium-l10n): date fields read jj/mm/aaaa.
    env: { ...process.env, LANG: 'fr_FR.UTF-8', LANGUAGE: 'fr_FR:fr' },
    args: [
      '--lang=fr-FR',
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A new context (no cookies, no storage) and page, French, Paris time. */
export async function newPage(browser, viewport = VIEWPORTS.laptop) {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.problems = problems;
  return page;
}

/** Saves a full-page screenshot as screenshots/<name>-<width>x<height>.png. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const v = page.viewportSize();
  const path = join(SCREENSHOT_DIR, `${name}-${v.width}x${v.height}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Screenshots at every width in VIEWPORTS, then back to the first. */
export async function screenshotAtWidths(page, name) {
  const before = page.viewportSize();
  for (const v of Object.values(VIEWPORTS)) {
    await page.setViewportSize(v);
    await screenshot(page, name);
  }
  await page.setViewportSize(before);
}
