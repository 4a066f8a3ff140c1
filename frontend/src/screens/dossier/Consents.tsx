// A victim's consents to the organisation's action (CPP 2-22): listed on
// demand only (each read is recorded in the victim's access report),
// recorded and withdrawn by jurists.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { RECORD_CONSENT, VICTIM_CONSENTS, WITHDRAW_CONSENT, type ConsentRow } from '../../api/queries';
import { Disclosure, Done, ErrorSummary, Field, Loading, SelectField, TextAreaField } from '../../components';
import { describeError } from '../../api/errors';
import { formatDate, parisDay, type Lang } from '../../lib/datetime';
import { orNull } from '../../lib/forms';
import { checkConsent, checkWithdraw } from '../../lib/consents';
import { CONSENT_GIVERS } from '../../lib/proceedings';
import { useAction } from '../../api/useAction';
import { ActionForm } from './Actions';

export function VictimConsents({ victimId, pseudonym, canWrite }: { victimId: string; pseudonym: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <Disclosure label={`${t('consent.show')}`} open={open} onToggle={setOpen}>
      <ConsentPanel victimId={victimId} pseudonym={pseudonym} canWrite={canWrite} />
    </Disclosure>
  );
}

function ConsentPanel({ victimId, pseudonym, canWrite }: { victimId: string; pseudonym: string; canWrite: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: VICTIM_CONSENTS, variables: { id: victimId }, requestPolicy: 'network-only' });
  const [done, setDone] = useState<string | null>(null);
  const refresh = (m: string) => {
    setDone(m);
    reexecute({ requestPolicy: 'network-only' });
  };
  const consents = data?.victim?.consents ?? [];
  return (
    <div className="consents" role="group" aria-label={t('consent.heading', { name: pseudonym })}>
      {error && <ErrorSummary error={describeError(error, t)} />}
      {fetching && !data && <Loading />}
      {data && (consents.length === 0 ? <p>{t('consent.none')}</p> : (
        <ul>
          {consents.map((c) => (
            <li key={c.id}>
              {t('consent.given', { giver: t(`enums.ConsentGiver.${c.givenBy}`), date: formatDate(c.givenOn, lang) })}
              {c.reference && ` — ${t('consent.referenceShown', { reference: c.reference })}`}
              {c.scope && <p className="prewrap">{c.scope}</p>}
              {c.withdrawnOn ? (
                <p><span className="badge">{t('consent.withdrawnShown', { date: formatDate(c.withdrawnOn, lang) })}</span></p>
              ) : (
                canWrite && <WithdrawConsentForm consent={c} onDone={refresh} />
              )}
            </li>
          ))}
        </ul>
      ))}
      <Done message={done} />
      {canWrite && <RecordConsentForm victimId={victimId} pseudonym={pseudonym} onDone={refresh} />}
    </div>
  );
}

const emptyConsent = () => ({ givenBy: 'LEGAL_REPRESENTATIVE', givenOn: parisDay(new Date()), scope: '', reference: '' });

function RecordConsentForm({ victimId, pseudonym, onDone }: { victimId: string; pseudonym: string; onDone: (m: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [v, setV] = useState(emptyConsent);
  const a = useAction();
  const u = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async () => {
    const input = { victimId, givenBy: v.givenBy, givenOn: v.givenOn, scope: orNull(v.scope), reference: orNull(v.reference) };
    const r = await a.run(RECORD_CONSENT, { input }, checkConsent(v, parisDay(new Date())));
    if (!r) return;
    setV(emptyConsent());
    setOpen(false);
    onDone(t('consent.recorded'));
  };
  return (
    <Disclosure label={t('consent.record')} open={open} onToggle={setOpen}>
      <ActionForm label={`${t('consent.record')} — ${pseudonym}`} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('consent.recordSubmit')}>
        <SelectField label={t('consent.givenBy')} name="givenBy" required value={v.givenBy} onChange={u('givenBy')} error={a.error}
          options={CONSENT_GIVERS.map((g) => ({ value: g, label: t(`enums.ConsentGiver.${g}`) }))} />
        <Field label={t('consent.givenOn')} name="givenOn" type="date" required value={v.givenOn} onChange={u('givenOn')} error={a.error} />
        <TextAreaField label={t('consent.scope')} hint={t('consent.scopeHint')} name="scope" rows={2} maxLength={2000} value={v.scope} onChange={u('scope')} error={a.error} />
        <Field label={t('consent.reference')} hint={t('consent.referenceHint')} name="reference" maxLength={128} value={v.reference} onChange={u('reference')} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}

function WithdrawConsentForm({ consent, onDone }: { consent: ConsentRow; onDone: (m: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [withdrawnOn, setWithdrawnOn] = useState(() => parisDay(new Date()));
  const a = useAction();
  const submit = async () => {
    const r = await a.run(WITHDRAW_CONSENT, { id: consent.id, withdrawnOn }, checkWithdraw(withdrawnOn, consent.givenOn, parisDay(new Date())));
    if (!r) return;
    setOpen(false);
    onDone(t('consent.withdrawn'));
  };
  return (
    <Disclosure label={t('consent.withdraw')} open={open} onToggle={setOpen}>
      <ActionForm label={t('consent.withdraw')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('consent.withdrawSubmit')}>
        <Field label={t('consent.withdrawnOn')} name="withdrawnOn" type="date" required value={withdrawnOn} onChange={(e) => setWithdrawnOn(e.target.value)} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}
