// RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits) from a base32 secret, as
// the authenticator apps and the server (internal/auth) compute it.
import { createHmac } from 'node:crypto';

export const STEP_SECONDS = 30;

/** Decodes RFC 4648 base32 (no padding needed, case-insensitive). */
export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`totp: not base32: ${JSON.stringify(ch)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The time step of a moment (ms since the epoch). */
export function stepAt(ms = Date.now()) {
  return Math.floor(ms / 1000 / STEP_SECONDS);
}

/** The 6-digit code of a step (RFC 4226 HOTP over the step counter). */
export function hotp(secret, counter, digits = 6) {
  const key = typeof secret === 'string' ? base32Decode(secret) : secret;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The code of the current step. */
export function totp(secret, ms = Date.now()) {
  return hotp(secret, stepAt(ms));
}
