import { describe, expect, it } from 'vitest';
import { checkNewUser, checkRoles } from './Admin';

describe('role sets, checked as the server does', () => {
  it('never combine administrator with legal staff or partner lawyer', () => {
    expect(checkRoles(['ADMIN', 'LEGAL_STAFF'])).toBe('admin.adminAndStaff');
    expect(checkRoles(['PARTNER_LAWYER', 'ADMIN'])).toBe('admin.adminAndStaff');
    expect(checkRoles(['ADMIN', 'DPO'])).toBeUndefined();
    expect(checkRoles(['LEGAL_STAFF', 'PARTNER_LAWYER'])).toBeUndefined();
    expect(checkRoles([])).toBe('admin.oneRole');
  });
  it('are checked when creating an account', () => {
    const v = { email: 'a@example.org', displayName: 'A', roles: ['ADMIN', 'LEGAL_STAFF'] as const, temporaryPassword: 'x'.repeat(12) };
    expect(checkNewUser({ ...v, roles: [...v.roles] })).toEqual({ roles: 'admin.adminAndStaff' });
  });
});
