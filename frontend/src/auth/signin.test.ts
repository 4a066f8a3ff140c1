import { describe, expect, it } from 'vitest';
import { signInProblems } from './SignIn';

describe('signInProblems', () => {
  it('asks for the e-mail and the password, never the code (first sign-in)', () => {
    expect(signInProblems('', '')).toEqual({ email: 'forms.required', password: 'forms.required' });
    expect(signInProblems('  ', 'x')).toEqual({ email: 'forms.required' });
    expect(signInProblems('a@b.fr', 'secret')).toEqual({});
  });
});
