import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../i18n';
import { PrivilegeToggle } from './Audit';

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
