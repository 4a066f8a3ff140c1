import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import type { AuditEventRow } from '../../api/queries';
import { createI18n } from '../../i18n';
import { EventRow, PrivilegeToggle } from './Audit';

function render(lang: 'fr' | 'en', checked: boolean): string {
  return renderToStaticMarkup(
    <I18nextProvider i18n={createI18n(lang)}>
      <PrivilegeToggle checked={checked} onChange={() => {}} />
    </I18nextProvider>,
  );
}

describe('the « Changements de droits » switch of the audit screen', () => {
  it('is a labelled checkbox, in French first', () => {
    const html = render('fr', false);
    expect(html).toMatch(/<label class="check"><input type="checkbox"[^>]*name="privilegeOnly"[^>]*\/>Changements de droits<\/label>/);
    expect(html).not.toContain('checked');
    expect(html).toContain('les sessions fermées, les comptes désactivés');
    const hint = /aria-describedby="([^"]+)"/.exec(html)?.[1];
    expect(hint && html.includes(`id="${hint}"`)).toBe(true);
  });
  it('shows its state, and speaks English too', () => {
    const html = render('en', true);
    expect(html).toContain('Changes of rights');
    expect(html).toMatch(/<input type="checkbox"[^>]*name="privilegeOnly"[^>]*checked=""/);
  });
});

describe('an audit event, as the DPO reads it', () => {
  const DOSSIER = '3f2a9c1e-1111-4222-8333-444455556666';
  const USER = '9b8c7d6e-1111-4222-8333-444455556666';
  const event: AuditEventRow = {
    id: '42', occurredAt: '2026-10-01T08:30:00Z', actorId: USER, actorName: 'Camille Juriste', actorRoles: ['legal_staff'],
    action: 'victim.identity.reveal', resourceType: 'victim', resourceIds: ['aaaaaaaa-1111-4222-8333-444455556666'], dossierId: DOSSIER,
    reason: 'Préparation de l’audience', outcome: 'ALLOWED', permission: 'identity:read', sourceIp: null, requestId: 'r1', sealed: false,
  };
  const row = (lang: 'fr' | 'en', canErase: boolean, e = event) => renderToStaticMarkup(
    <I18nextProvider i18n={createI18n(lang)}>
      <table><tbody><EventRow e={e} names={new Map([[USER, 'Camille Juriste']])} canErase={canErase} onFilter={() => {}} /></tbody></table>
    </I18nextProvider>,
  );

  it('says what was done in French, the code only as a hint', () => {
    const html = row('fr', true);
    expect(html).toContain('<span class="audit-action">Consultation de l’identité d’une victime</span><div class="hint"><code>victim.identity.reveal</code></div>');
    expect(html).toContain('Droit vérifié : Consultation des identités');
    expect(html).toContain('Juriste');
    expect(html).not.toContain('legal_staff');
    expect(html).toContain('>Victime<');
    expect(html).toContain('1er octobre 2026');
  });
  it('shows the dossier short, with a copy button and a filter, never its content', () => {
    const html = row('fr', true);
    expect(html).toContain(`data-id="${DOSSIER}">3f2a9c1e…</code>`);
    expect(html).not.toMatch(new RegExp(`>${DOSSIER}<`));
    expect(html).toContain('Filtrer sur ce dossier');
    expect(html).toContain('Copier');
    expect(html).toContain('href="/audit/erase"');
    expect(html).not.toContain('href="/dossiers/');
    expect(row('fr', false)).not.toContain('href="/audit/erase"');
  });
  it('explains an event not sealed yet in plain words', () => {
    expect(row('fr', true)).toContain('<div class="hint">pas encore scellé</div>');
    expect(row('fr', true, { ...event, sealed: true })).not.toContain('pas encore scellé');
    expect(createI18n('fr').t('audit.unsealedHint')).toContain('l’événement est bien enregistré ; sa place dans la chaîne qui rend le journal infalsifiable lui est attribuée dans la seconde');
  });
  it('names a user resource by the name this page knows', () => {
    const html = row('fr', true, { ...event, action: 'user.roles', resourceType: 'user', resourceIds: [USER], dossierId: null, actorId: null, actorName: null, actorRoles: [] });
    expect(html).toContain('Modification des rôles d’un utilisateur');
    expect(html).toContain('Camille Juriste');
    expect(html).toContain('système');
  });
  it('speaks English too', () => {
    const html = row('en', true);
    expect(html).toContain('Victim’s identity revealed');
    expect(html).toContain('Filter on this dossier');
    expect(html).toContain('Jurist');
  });
});
