// The checks of the consent forms (internal/person checks them again).
import type { Problems } from './forms';

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** A consent: who, when (not in the future, Paris's today), short enough texts. */
export function checkConsent(v: { givenBy: string; givenOn: string; scope: string; reference: string }, today: string): Problems {
  const p: Problems = {};
  if (!v.givenBy) p.givenBy = 'forms.required';
  if (!isDay(v.givenOn)) p.givenOn = 'forms.required';
  else if (v.givenOn > today) p.givenOn = 'consent.notFuture';
  if (v.scope.trim().length > 2000) p.scope = 'forms.tooLong';
  if (v.reference.trim().length > 128) p.reference = 'forms.tooLong';
  return p;
}

/** A withdrawal: a date between the consent and today. */
export function checkWithdraw(withdrawnOn: string, givenOn: string, today: string): Problems {
  const p: Problems = {};
  if (!isDay(withdrawnOn)) p.withdrawnOn = 'forms.required';
  else if (withdrawnOn > today) p.withdrawnOn = 'consent.notFuture';
  else if (withdrawnOn < givenOn) p.withdrawnOn = 'consent.beforeGiven';
  return p;
}
