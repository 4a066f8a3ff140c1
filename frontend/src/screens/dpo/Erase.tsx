// The data-protection officer erases a dossier's content (crypto-shredding
// of its files and its people's identities): the dossier's identifier
// (from the audit log: the DPO cannot open dossiers), a reason that is
// audited, and an explicit acknowledgement that it is final.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from 'urql';
import { describeError, type DescribedError } from '../../api/errors';
import { ERASE_DOSSIER_CONTENT, type DossierErasure } from '../../api/queries';
import { ErrorSummary, Field, PageHeading, TextAreaField } from '../../components';
import { formatDateTime, type Lang } from '../../lib/datetime';
import { localError } from '../../lib/forms';
import { can } from '../../lib/roles';
import { Link } from '../../lib/router';
import { useViewer } from '../../viewer';
import { Forbidden } from '../admin/Admin';
import { canErase, checkErase, EMPTY_ERASE_FORM, eraseError, takeErasePrefill, type EraseForm } from './erase';

export function EraseDossier() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const viewer = useViewer();
  const client = useClient();
  const [form, setForm] = useState<EraseForm>(() => ({ ...EMPTY_ERASE_FORM, dossierId: takeErasePrefill() }));
  const [error, setError] = useState<DescribedError | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<DossierErasure | null>(null);
  if (!can(viewer?.roles, 'dossier:erase')) return <Forbidden title={t('titles.erase')} />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canErase(form, busy)) return;
    const local = localError(checkErase(form), t);
    setError(local);
    if (local) return;
    setBusy(true);
    setResult(null);
    const r = await client.mutation(ERASE_DOSSIER_CONTENT, { dossierId: form.dossierId.trim(), reason: form.reason.trim() }).toPromise();
    setBusy(false);
    if (r.error || !r.data) {
      setError(eraseError(describeError(r.error ?? {}, t), t));
      return;
    }
    setResult(r.data.eraseDossierContent);
    setForm(EMPTY_ERASE_FORM);
  };

  return (
    <section>
      <p><Link to={{ name: 'audit' }}>{t('erase.backToAudit')}</Link></p>
      <PageHeading title={t('titles.erase')}>{t('erase.heading')}</PageHeading>
      <p>{t('erase.intro')}</p>
      <p className="warning">{t('erase.warning')}</p>
      {result && (
        <div className="notice" role="status">
          <p>{t('erase.done', { date: formatDateTime(result.erasedAt, lang) })}</p>
          <dl className="details">
            <dt>{t('erase.dossierId')}</dt><dd><code className="hash">{result.dossierId}</code></dd>
            <dt>{t('erase.erasedAt')}</dt><dd><time dateTime={result.erasedAt}>{formatDateTime(result.erasedAt, lang)}</time></dd>
            <dt>{t('erase.evidenceErased')}</dt><dd>{result.evidenceErased}</dd>
            <dt>{t('erase.identitiesErased')}</dt><dd>{result.identitiesErased}</dd>
          </dl>
        </div>
      )}
      <form className="form" aria-label={t('erase.heading')} noValidate onSubmit={(e) => void submit(e)}>
        <ErrorSummary error={error} />
        <Field label={t('erase.dossierId')} hint={t('erase.dossierIdHint')} name="dossierId" autoComplete="off" required spellCheck={false}
          value={form.dossierId} onChange={(e) => setForm({ ...form, dossierId: e.target.value })} error={error} />
        <TextAreaField label={t('erase.reason')} hint={t('erase.reasonHint')} name="reason" required
          value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} error={error} />
        <label className="check">
          <input type="checkbox" name="confirmed" checked={form.confirmed} onChange={(e) => setForm({ ...form, confirmed: e.target.checked })} />
          {t('erase.confirm')}
        </label>
        <div className="actions">
          <button type="submit" className="danger" disabled={!canErase(form, busy)}>{busy ? t('erase.erasing') : t('erase.submit')}</button>
        </div>
      </form>
    </section>
  );
}
