import { describe, expect, it } from 'vitest';
import { ssoNotice, withoutSso } from './sso';

describe('single sign-on notices', () => {
  it('name what the server said', () => {
    expect(ssoNotice('?sso=expired')).toBe('ssoExpired');
    expect(ssoNotice('?sso=denied')).toBe('ssoDenied');
    expect(ssoNotice('?a=1&sso=error')).toBe('ssoError');
  });
  it('ignore anything else', () => {
    expect(ssoNotice('')).toBeNull();
    expect(ssoNotice('?sso=')).toBeNull();
    expect(ssoNotice('?sso=toString')).toBeNull();
    expect(ssoNotice('?sso=constructor')).toBeNull();
  });
  it('leave the address without the parameter', () => {
    expect(withoutSso('/', '?sso=denied', '')).toBe('/');
    expect(withoutSso('/dossiers', '?a=1&sso=error', '#x')).toBe('/dossiers?a=1#x');
  });
});
