// The DPO's erasure form: when the button may be used, the checks before
// sending, and the API's NOT_FOUND shown on the identifier field.
import type { TFunction } from 'i18next';
import type { DescribedError } from '../../api/errors';
import type { Problems } from '../../lib/forms';
import { badIds, EMPTY_AUDIT_FORM } from './audit';

export interface EraseForm {
  dossierId: string;
  reason: string;
  /** "Je comprends que cet effacement est définitif" is ticked. */
  confirmed: boolean;
}

export const EMPTY_ERASE_FORM: EraseForm = { dossierId: '', reason: '', confirmed: false };

/** The erase button is enabled only once the erasure is acknowledged as final, and not while sending. */
export function canErase(f: EraseForm, busy: boolean): boolean {
  return f.confirmed && !busy;
}

/** Problems found before sending (field → translation key). */
export function checkErase(f: EraseForm): Problems {
  const p: Problems = {};
  if (!f.dossierId.trim()) p.dossierId = 'forms.required';
  else if (badIds({ ...EMPTY_AUDIT_FORM, dossierId: f.dossierId }).length) p.dossierId = 'audit.badId';
  if (!f.reason.trim()) p.reason = 'forms.required';
  else if (f.reason.trim().length > 1000) p.reason = 'forms.tooLong';
  return p;
}

/** An unknown dossier (or one the DPO cannot see) is said on the identifier field. */
export function eraseError(d: DescribedError, t: TFunction | ((key: string) => string)): DescribedError {
  if (d.code !== 'NOT_FOUND') return d;
  const tr = t as (key: string) => string;
  return { ...d, fields: [...d.fields, { field: 'dossierId', label: tr('errors.fields.dossierId'), message: tr('erase.notFound') }] };
}

// The identifier chosen from the audit log, handed to the erase screen
// (in memory only, never in the URL or storage).
let prefill = '';

export function prefillErase(dossierId: string) {
  prefill = dossierId;
}

/** The identifier handed over by the audit log, once. */
export function takeErasePrefill(): string {
  const v = prefill;
  prefill = '';
  return v;
}
