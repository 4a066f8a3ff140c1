// What the suite runs against, from the environment scripts/e2e.sh sets:
//   E2E_BASE_URL   the running `egide dev` (http://127.0.0.1:PORT)
//   E2E_ACCOUNTS   its dev-accounts.json (demo accounts, passwords, TOTP secrets)
//   E2E_STATE_DIR  a scratch folder shared by the test files of one run
//   E2E_RESULTS    where measurements are written as JSON (optional)
//   CHROMIUM       the browser (default /usr/bin/chromium)
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const SCREENSHOT_DIR = process.env.E2E_SCREENSHOT_DIR || join(E2E_DIR, 'screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CI = process.env.CI === 'true';
export const STATE_DIR = process.env.E2E_STATE_DIR || join(tmpdir(), 'egide-e2e-state');
export const RESULTS = process.env.E2E_RESULTS || '';

/** Why the suite cannot run here, or '' when it can. */
export function missing() {
  if (!process.env.E2E_BASE_URL || !process.env.E2E_ACCOUNTS) return 'E2E_BASE_URL and E2E_ACCOUNTS are not set (run scripts/e2e.sh)';
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install chromium; scripts/deps.sh does it as root)`;
  return '';
}

/**
 * The `skip` option of every test: a reason to skip when the browser or the
 * server is missing — except under CI=true, where a missing dependency must
 * fail the run, never skip it.
 */
export function skipReason() {
  const why = missing();
  if (why && CI) throw new Error(`e2e: ${why}; CI=true does not skip`);
  return why || false;
}

export const BASE_URL = (process.env.E2E_BASE_URL || '').replace(/\/+$/, '');

let accounts;
/** The demo accounts of the running instance. */
export function accountsList() {
  accounts ??= JSON.parse(readFileSync(process.env.E2E_ACCOUNTS, 'utf8'));
  return accounts;
}

/** The demo account with this e-mail's local part (e.g. 'juriste1') or, failing that, the first of this role. */
export function account(nameOrRole) {
  const all = accountsList();
  const a = all.find((x) => x.email.split('@')[0] === nameOrRole) ?? all.find((x) => x.role === nameOrRole);
  if (!a) throw new Error(`e2e: no demo account ${nameOrRole}`);
  return a;
}

/** Identity markers: every demo identity (names, birth data) contains this. */
export const IDENTITY_MARKER = 'NOM-DEMO';
