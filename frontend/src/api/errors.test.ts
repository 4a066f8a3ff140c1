import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n';
import { describeError, errorCode, isUnauthenticated, problemFor } from './errors';

const fr = createI18n('fr').t;
const en = createI18n('en').t;

describe('describeError', () => {
  it('explains each code in plain French', () => {
    for (const [code, text] of [
      ['NOT_FOUND', 'Introuvable, ou vous n’y avez pas accès.'],
      ['FORBIDDEN', 'Vous n’avez pas le droit de faire cela.'],
      ['INTERNAL', 'Erreur interne du serveur. Réessayez plus tard.'],
      ['UNAUTHENTICATED', 'Identifiants ou code incorrects, ou session expirée.'],
    ]) {
      const d = describeError({ graphQLErrors: [{ message: 'x', extensions: { code } }] }, fr);
      expect(d).toEqual({ code, message: text, fields: [] });
    }
  });

  it('lists the fields an INVALID error concerns, labelled and translated', () => {
    const d = describeError(
      {
        graphQLErrors: [
          {
            message: 'invalid input',
            extensions: {
              code: 'INVALID',
              fields: [
                { field: 'newPassword', message: 'must have at least 12 characters' },
                { field: 'input.currentPassword', message: 'is not your current password' },
                { field: 'someNewField', message: 'some new rule' },
              ],
            },
          },
        ],
      },
      fr,
    );
    expect(d.code).toBe('INVALID');
    expect(d.message).toBe('Certaines informations sont incorrectes.');
    expect(d.fields).toEqual([
      { field: 'newPassword', label: 'Nouveau mot de passe', message: 'doit contenir au moins 12 caractères.' },
      { field: 'input.currentPassword', label: 'Mot de passe actuel', message: 'n’est pas votre mot de passe actuel.' },
      { field: 'someNewField', label: 'someNewField', message: 'some new rule' },
    ]);
    expect(problemFor(d, 'currentPassword')?.label).toBe('Mot de passe actuel');
    expect(problemFor(d, 'email')).toBeUndefined();
  });

  it('translates the proceedings’ and civil-party rules, with French dates', () => {
    const d = describeError(
      {
        graphQLErrors: [
          {
            message: 'invalid input',
            extensions: {
              code: 'INVALID',
              fields: [
                { field: 'endedOn', message: 'must not be before the proceeding started (2025-03-01)' },
                { field: 'stage', message: 'cannot go from appeal to trial' },
                { field: 'courtKind', message: 'a PARQUET cannot hold the stage trial' },
                { field: 'legalBasis', message: 'the organisation does not rely on CPP 2-22 (it relies on: CPP 2-3)' },
                { field: 'consentId', message: 'this consent was withdrawn on 2024-12-31' },
                { field: 'startedOn', message: 'is required' },
              ],
            },
          },
        ],
      },
      fr,
    );
    expect(d.fields.map((f) => `${f.label} : ${f.message}`)).toEqual([
      'Date de fin : ne peut pas précéder le début de la procédure (1er mars 2025).',
      'Étape : cette étape ne peut pas suivre l’étape actuelle.',
      'Juridiction : cette juridiction ne peut pas connaître de cette étape.',
      'Fondement : l’association ne se fonde pas sur l’article 2-22 du Code de procédure pénale.',
      'Accord de la victime : cet accord a été retiré le 31 décembre 2024.',
      'Date de début : est obligatoire.',
    ]);
  });

  it('translates into English too', () => {
    const d = describeError(
      { graphQLErrors: [{ message: 'invalid input', extensions: { code: 'INVALID', fields: [{ field: 'code', message: 'this code does not match or was already used' }] } }] },
      en,
    );
    expect(d.fields[0]).toEqual({ field: 'code', label: '6-digit code', message: 'this code does not match or was already used.' });
  });

  it('says why a civil-party constitution conflicts, with French dates', () => {
    const conflict = (message: string) => ({ graphQLErrors: [{ message, extensions: { code: 'CONFLICT' } }] });
    expect(describeError(conflict('the constitution was already withdrawn on 2025-04-01'), fr).message).toBe(
      'Le désistement de cette constitution a déjà été enregistré (le 1er avril 2025). Rechargez la page.',
    );
    expect(describeError(conflict('the constitution was withdrawn on 2025-04-01'), fr).message).toContain('s’est désistée de cette constitution le 1er avril 2025');
    expect(describeError(conflict('the constitution was withdrawn on 2025-04-01'), en).message).toContain('withdrew this constitution on 1 April 2025');
    expect(describeError(conflict('something else'), fr)).toEqual({
      code: 'CONFLICT', message: 'Cette modification entre en conflit avec l’état actuel. Rechargez la page et réessayez.', fields: [],
    });
    const before = describeError({ graphQLErrors: [{ message: 'invalid input', extensions: { code: 'INVALID', fields: [{ field: 'withdrawnOn', message: 'must not be before the constitution (2025-03-10)' }] } }] }, fr);
    expect(before.fields[0].message).toBe('ne peut pas précéder la constitution (10 mars 2025).');
  });

  it('says which separation-of-duties rule refused, in French and English', () => {
    const forbidden = (message: string, fields: unknown[] = []) => ({ graphQLErrors: [{ message, extensions: { code: 'FORBIDDEN', fields } }] });
    expect(describeError(forbidden('you cannot change your own roles: ask another administrator'), fr).message).toBe(
      'Vous ne pouvez pas modifier vos propres rôles : demandez-le à un autre administrateur.');
    expect(describeError(forbidden('you cannot change your own roles: ask another administrator'), en).message).toContain('your own roles');
    const both = 'an administrator cannot also be legal staff or partner lawyer in the same organisation: create a separate account';
    const d = describeError(forbidden(both, [{ field: 'roles', message: both }]), fr);
    expect(d.message).toContain('Un administrateur ne peut pas être aussi juriste');
    expect(d.fields).toEqual([{ field: 'roles', label: fr('errors.fields.roles'), message: 'administrateur et juriste ou avocat partenaire ne se cumulent pas : créez un compte distinct.' }]);
    const self = 'you cannot assign yourself to a dossier: ask another administrator';
    expect(describeError(forbidden(self, [{ field: 'userId', message: self }]), fr).message).toContain('vous affecter vous-même');
    const share = 'you cannot share a dossier with an organisation you belong to: ask another administrator';
    expect(describeError(forbidden(share, [{ field: 'organisationId', message: share }]), fr).message).toContain('dont vous êtes membre');
    expect(describeError(forbidden('not allowed'), fr).message).toBe('Vous n’avez pas le droit de faire cela.');
  });
  it('says an e-mail address is taken without saying where', () => {
    const d = describeError({ graphQLErrors: [{ message: 'invalid input', extensions: { code: 'INVALID', fields: [{ field: 'email', message: 'another account already uses this e-mail address' }] } }] }, fr);
    expect(d.fields[0].message).toBe('est déjà utilisée par un autre compte.');
  });
  it('reports a network failure', () => {
    expect(describeError({ networkError: new Error('Failed to fetch') }, fr)).toEqual({
      code: 'NETWORK',
      message: 'Le serveur ne répond pas. Vérifiez votre connexion et réessayez.',
      fields: [],
    });
  });

  it('never shows an unknown server message as the main message', () => {
    const d = describeError({ graphQLErrors: [{ message: 'pq: relation does not exist' }] }, fr);
    expect(d).toEqual({ code: 'UNKNOWN', message: 'Une erreur inattendue est survenue.', fields: [] });
  });

  it('says how long to wait when the server is rate limiting', () => {
    const e = (retryAfter?: number) => ({ graphQLErrors: [{ message: 'too many failed sign-ins', extensions: { code: 'RATE_LIMITED', retryAfter } }] });
    expect(describeError(e(30), fr).message).toBe('Trop de tentatives : réessayez dans 30 secondes.');
    expect(describeError(e(1), fr).message).toBe('Trop de tentatives : réessayez dans 1 seconde.');
    expect(describeError(e(), en).message).toBe('Too many attempts: try again in 1 second.');
    expect(describeError(e(30), fr).code).toBe('RATE_LIMITED');
  });

  it('translates the input rules: control and bidirectional characters, list bounds', () => {
    const d = describeError({ graphQLErrors: [{ message: 'invalid input', extensions: { code: 'INVALID', fields: [
      { field: 'input.pseudonym', message: 'must not contain bidirectional formatting characters' },
      { field: 'input.reference', message: 'must be on one line' },
      { field: 'input.summary', message: 'must not contain control characters' },
      { field: 'input.themes', message: 'at most 20 entries' },
      { field: 'input.platforms', message: 'entries must be one line of text, without control or bidirectional formatting characters' },
    ] } }] }, fr);
    expect(d.fields.map((f) => f.message)).toEqual([
      'ne doit pas contenir de caractères de mise en forme bidirectionnelle (ils peuvent masquer le vrai texte).',
      'doit tenir sur une seule ligne.',
      'ne doit pas contenir de caractères de contrôle.',
      'compte trop d’éléments (au plus 20).',
      'chaque élément doit tenir sur une ligne, sans caractère de contrôle ni de mise en forme bidirectionnelle.',
    ]);
  });

  it('ignores malformed field entries', () => {
    const d = describeError({ graphQLErrors: [{ message: '', extensions: { code: 'INVALID', fields: [null, { message: 'x' }, 'y'] } }] }, fr);
    expect(d.fields).toEqual([]);
  });
});

describe('errorCode', () => {
  it('finds UNAUTHENTICATED among several errors', () => {
    const e = { graphQLErrors: [{ message: 'a' }, { message: 'b', extensions: { code: 'UNAUTHENTICATED' } }] };
    expect(errorCode(e)).toBe('UNAUTHENTICATED');
    expect(isUnauthenticated(e)).toBe(true);
    expect(isUnauthenticated({ graphQLErrors: [] })).toBe(false);
    expect(isUnauthenticated(null)).toBe(false);
  });
});
