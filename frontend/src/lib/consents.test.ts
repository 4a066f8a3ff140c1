import { describe, expect, it } from 'vitest';
import { checkConsent, checkWithdraw } from './consents';

describe('consent forms', () => {
  const v = { givenBy: 'VICTIM', givenOn: '2025-03-01', scope: '', reference: 'AC-12' };
  it('check a consent: a date not after today (Paris)', () => {
    expect(checkConsent(v, '2025-03-01')).toEqual({});
    expect(checkConsent({ ...v, givenOn: '2025-03-02' }, '2025-03-01')).toEqual({ givenOn: 'consent.notFuture' });
    expect(checkConsent({ ...v, givenBy: '', givenOn: '', reference: 'x'.repeat(129) }, '2025-03-01')).toEqual({
      givenBy: 'forms.required', givenOn: 'forms.required', reference: 'forms.tooLong',
    });
  });
  it('check a withdrawal: between the consent and today', () => {
    expect(checkWithdraw('2025-04-01', '2025-03-01', '2025-05-01')).toEqual({});
    expect(checkWithdraw('2025-02-01', '2025-03-01', '2025-05-01')).toEqual({ withdrawnOn: 'consent.beforeGiven' });
    expect(checkWithdraw('2025-06-01', '2025-03-01', '2025-05-01')).toEqual({ withdrawnOn: 'consent.notFuture' });
    expect(checkWithdraw('', '2025-03-01', '2025-05-01')).toEqual({ withdrawnOn: 'forms.required' });
  });
});
