// Every literal key the app passes to t() exists in both languages
// (a missing key would show as "section.key" on screen).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fr } from './fr';

const src = fileURLToPath(new URL('..', import.meta.url));
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.tsx?$/.test(p) && !/\.test\.tsx?$/.test(p) ? [p] : [];
  });

const used = new Set<string>();
for (const f of walk(src)) {
  const s = readFileSync(f, 'utf8');
  for (const m of s.matchAll(/\bt\(\s*'([A-Za-z0-9_]+\.[A-Za-z0-9_.]+)'/g)) used.add(m[1]);
  // Message keys handed to localError ({ field: 'forms.required' }).
  for (const m of s.matchAll(/[:=]\s*'((?:forms|evidence|identity|hearing|admin|audit|references|proceeding|standing|consent|defendant|account|erase)\.[A-Za-z0-9_]+)'/g)) used.add(m[1]);
}

function has(o: unknown, key: string): boolean {
  let cur = o as Record<string, unknown>;
  const parts = key.split('.');
  for (let i = 0; i < parts.length - 1; i++) {
    cur = cur?.[parts[i]] as Record<string, unknown>;
    if (typeof cur !== 'object' || cur === null) return false;
  }
  const last = parts[parts.length - 1];
  return typeof cur[last] === 'string' || typeof cur[`${last}_other`] === 'string';
}

describe('keys used by the app', () => {
  it('are many', () => expect(used.size).toBeGreaterThan(100));
  for (const [name, res] of [['fr', fr], ['en', en]] as const) {
    it(`exist in ${name}`, () => {
      expect([...used].filter((k) => !has(res, k))).toEqual([]);
    });
  }
});
