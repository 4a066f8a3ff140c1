import { describe, expect, it } from 'vitest';
import { canErase, checkErase, EMPTY_ERASE_FORM, eraseError, prefillErase, takeErasePrefill } from './erase';

const ID = '0b5c1a2e-4f6d-4a8b-9c0d-1e2f3a4b5c6d';
const t = (k: string) => `<${k}>`;

describe('erasing a dossier', () => {
  it('enables the button only once the erasure is acknowledged as final, and not while sending', () => {
    const filled = { dossierId: ID, reason: 'Fin de conservation', confirmed: false };
    expect(canErase(filled, false)).toBe(false);
    expect(canErase({ ...filled, confirmed: true }, false)).toBe(true);
    expect(canErase({ ...filled, confirmed: true }, true)).toBe(false);
    expect(canErase(EMPTY_ERASE_FORM, false)).toBe(false);
  });
  it('checks the identifier and the reason before sending', () => {
    expect(checkErase({ ...EMPTY_ERASE_FORM, confirmed: true })).toEqual({ dossierId: 'forms.required', reason: 'forms.required' });
    expect(checkErase({ dossierId: 'Dossier Dupont', reason: 'x', confirmed: true })).toEqual({ dossierId: 'audit.badId' });
    expect(checkErase({ dossierId: ` ${ID} `, reason: '  ', confirmed: true })).toEqual({ reason: 'forms.required' });
    expect(checkErase({ dossierId: ID, reason: 'x'.repeat(1001), confirmed: true })).toEqual({ reason: 'forms.tooLong' });
    expect(checkErase({ dossierId: ID, reason: 'Demande d’effacement', confirmed: true })).toEqual({});
  });
  it('says NOT_FOUND on the identifier field, and leaves other errors as they are', () => {
    const nf = eraseError({ code: 'NOT_FOUND', message: 'introuvable', fields: [] }, t);
    expect(nf.fields).toEqual([{ field: 'dossierId', label: '<errors.fields.dossierId>', message: '<erase.notFound>' }]);
    const inv = { code: 'INVALID' as const, message: 'invalide', fields: [{ field: 'reason', label: 'Motif', message: 'est obligatoire.' }] };
    expect(eraseError(inv, t)).toBe(inv);
  });
  it('hands the identifier chosen in the audit log over once', () => {
    prefillErase(ID);
    expect(takeErasePrefill()).toBe(ID);
    expect(takeErasePrefill()).toBe('');
  });
});
