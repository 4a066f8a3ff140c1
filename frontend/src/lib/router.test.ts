import { describe, expect, it } from 'vitest';
import { parseRoute, routePath, section } from './router';

describe('routes', () => {
  it('parses the pages of the app', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' });
    expect(parseRoute('/dossiers/')).toEqual({ name: 'dossiers' });
    expect(parseRoute('/dossiers/0b5c-12_ab')).toEqual({ name: 'dossier', id: '0b5c-12_ab' });
    expect(parseRoute('/dossiers/a/b')).toEqual({ name: 'notFound' });
    expect(parseRoute('/nope')).toEqual({ name: 'notFound' });
  });
  it('round-trips', () => {
    for (const r of [
      { name: 'home' }, { name: 'dossiers' }, { name: 'dossier', id: 'abc' }, { name: 'newDossier' }, { name: 'editDossier', id: 'abc' },
      { name: 'calendar' }, { name: 'admin' }, { name: 'adminUser', id: 'u1' }, { name: 'adminDossier', id: 'd1' }, { name: 'audit' },
      { name: 'accessReport' }, { name: 'erase' }, { name: 'account' },
    ] as const) {
      expect(parseRoute(routePath(r))).toEqual(r);
    }
  });
});

describe('section', () => {
  it('marks the header link of the section a page belongs to', () => {
    expect(section(parseRoute('/dossiers/abc'))).toBe('dossiers');
    expect(section(parseRoute('/dossiers/abc/edit'))).toBe('dossiers');
    expect(section(parseRoute('/dossiers/new'))).toBe('dossiers');
    expect(section(parseRoute('/admin/users/u1'))).toBe('admin');
    expect(section(parseRoute('/audit/erase'))).toBe('erase');
    expect(section(parseRoute('/calendar'))).toBe('calendar');
    expect(section(parseRoute('/'))).toBe('home');
  });
});
