// TOTP codes for sign-ins. The server refuses a code whose step was already
// used by the same account (replay), and accepts one step of drift either
// way. The steps each account has used are recorded in STATE_DIR, shared
// by the test files of a run (they run one after the other), so that
// signing an account in twice picks the next step's code, or waits.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from './env.mjs';
import { hotp, STEP_SECONDS, stepAt } from './totp.mjs';

const file = () => join(STATE_DIR, 'totp-steps.json');

function load() {
  try {
    return JSON.parse(readFileSync(file(), 'utf8'));
  } catch {
    return {};
  }
}

/** A code for this account no earlier sign-in of the run has used; waits if it must. */
export async function freshCode(acc) {
  mkdirSync(STATE_DIR, { recursive: true });
  for (;;) {
    const used = load()[acc.email] ?? -Infinity;
    const now = stepAt();
    // Step now, or now+1 (drift) if now is taken; a margin of 2 s keeps
    // clear of a step that is about to end when its +1 is also taken.
    const step = used < now ? now : used === now ? now + 1 : null;
    if (step !== null) {
      const state = load();
      state[acc.email] = step;
      writeFileSync(file(), JSON.stringify(state));
      return hotp(acc.totpSecret, step);
    }
    const wait = (used * STEP_SECONDS * 1000) - Date.now() + 200;
    await new Promise((r) => setTimeout(r, Math.max(wait, 200)));
  }
}

/** A 6-digit code that is valid for none of the steps the server would accept now. */
export function wrongCode(acc) {
  const s = stepAt();
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => hotp(acc.totpSecret, s + d)));
  for (let n = 123456; ; n = (n + 111111) % 1000000) {
    const c = String(n).padStart(6, '0');
    if (!valid.has(c)) return c;
  }
}
