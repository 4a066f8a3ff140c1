// Deadlines of a dossier (échéances): the list with each date's rule,
// article and explanation; computing one from a rule and the day of its
// triggering event (the server computes and explains the date); adding one
// by hand; marking one done; cancelling one with a reason.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useQuery } from 'urql';
import { describeError, type DescribedError } from '../../api/errors';
import { useAction } from '../../api/useAction';
import {
  ADD_MANUAL_DEADLINE,
  CANCEL_DEADLINE,
  COMPLETE_DEADLINE,
  COMPUTE_DEADLINE,
  DEADLINE_PREVIEW,
  DEADLINE_RULES,
  DOSSIER_DEADLINES,
  type DeadlineRow,
} from '../../api/deadlines';
import type { ProceedingRow } from '../../api/queries';
import { Dialog, Disclosure, Done, ErrorSummary, Field, SelectField, TextAreaField } from '../../components';
import { formatDate, formatDateTime, formatDayLong, parisDay, type Lang } from '../../lib/datetime';
import { articleText, groupRules } from '../../lib/deadlines';
import { orNull, type Problems } from '../../lib/forms';
import { ActionForm } from './Actions';
import { proceedingName } from './Proceedings';

// The API names of this section's inputs, labelled in its own block.
const FIELD_LABELS: Record<string, string> = {
  ruleId: 'deadlines.rule',
  triggerOn: 'deadlines.triggerOn',
  dueOn: 'deadlines.dueOn',
  title: 'deadlines.title',
  note: 'deadlines.note',
  reason: 'deadlines.cancelReason',
  dossierId: 'deadlines.dossier',
};

// Server messages of this section, translated (others are shown as written).
const MESSAGES: [RegExp, string][] = [
  [/^is not a rule of the catalogue/, 'deadlines.messages.unknownRule'],
  [/^is more than \d+ years? ahead/, 'deadlines.messages.tooFar'],
  [/^is more than \d+ years in the past/, 'deadlines.messages.tooOld'],
  [/^no version of the rule applies/, 'deadlines.messages.noVersion'],
  [/^the dossier is closed/, 'deadlines.messages.closed'],
];

/** The error with this section's field labels and messages. */
function localise(err: DescribedError | null, t: TFunction): DescribedError | null {
  if (!err) return err;
  return {
    ...err,
    fields: err.fields.map((f) => {
      const last = f.field.split('.').pop() ?? f.field;
      const label = FIELD_LABELS[last] ? t(FIELD_LABELS[last]) : f.label;
      const known = MESSAGES.find(([re]) => re.test(f.message));
      return { ...f, label, message: known ? t(known[1]) : f.message };
    }),
  };
}

/**
 * canWrite: the caller may write deadlines here (hearing:write, and the
 * dossier is its organisation's). New deadlines need an open dossier; a
 * closed dossier's open deadlines may still be marked done or cancelled.
 */
export function DeadlinesSection({ dossierId, proceedings, canWrite, dossierOpen }: {
  dossierId: string; proceedings: readonly ProceedingRow[]; canWrite: boolean; dossierOpen: boolean;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: DOSSIER_DEADLINES, variables: { id: dossierId }, requestPolicy: 'cache-and-network' });
  const [done, setDone] = useState<string | null>(null);
  const refresh = (message?: string) => {
    if (message) setDone(message);
    reexecute({ requestPolicy: 'network-only' });
  };
  const list = data?.dossier?.deadlines ?? [];
  return (
    <section aria-labelledby="s-deadlines">
      <h2 id="s-deadlines">{t('deadlines.heading')}</h2>
      {error && <ErrorSummary error={describeError(error, t)} />}
      {fetching && !data && <p role="status">{t('app.loading')}</p>}
      <Done message={done} />
      {data && (list.length === 0 ? <p>{t('deadlines.none')}</p> : (
        <ul className="deadlines">
          {list.map((d) => (
            <DeadlineItem key={d.id} d={d} lang={lang} proceedings={proceedings} canWrite={canWrite} onDone={refresh} />
          ))}
        </ul>
      ))}
      {canWrite && dossierOpen && <ComputeDeadlineForm dossierId={dossierId} proceedings={proceedings} onDone={() => refresh()} />}
      {canWrite && dossierOpen && <ManualDeadlineForm dossierId={dossierId} proceedings={proceedings} onDone={() => refresh(t('deadlines.added'))} />}
    </section>
  );
}

/** What a deadline is: its rule's title, or a manual deadline's own. */
function deadlineTitle(d: DeadlineRow): string {
  return d.rule?.title ?? d.title;
}

function DeadlineItem({ d, lang, proceedings, canWrite, onDone }: {
  d: DeadlineRow; lang: Lang; proceedings: readonly ProceedingRow[]; canWrite: boolean; onDone: (message?: string) => void;
}) {
  const { t } = useTranslation();
  const article = articleText(d.codeVersion, d.article, lang);
  const proceeding = d.proceeding && proceedings.find((p) => p.id === d.proceeding!.id);
  return (
    <li className={`deadline deadline-${d.status.toLowerCase()}`}>
      <p>
        <strong>
          <time dateTime={d.dueOn}>{formatDayLong(d.dueOn, lang)}</time>
        </strong>{' '}
        — {deadlineTitle(d)} <span className="badge">{t(`deadlines.status.${d.status}`)}</span>
      </p>
      {proceeding && <p>{proceedingName(proceeding, t)}</p>}
      <DeadlineFacts d={d} lang={lang} article={article} />
      {d.status === 'DONE' && d.doneAt && <p className="hint">{t('deadlines.doneAt', { date: formatDateTime(d.doneAt, lang) })}</p>}
      {d.status === 'CANCELLED' && <p className="hint prewrap">{t('deadlines.cancelledBecause', { reason: d.cancelReason })}</p>}
      {canWrite && d.status === 'OPEN' && <DeadlineActions d={d} onDone={onDone} />}
    </li>
  );
}

/** What DeadlineFacts shows: a stored deadline or a preview. */
type Facts = Pick<DeadlineRow, 'triggerOn' | 'extended' | 'rawEndOn' | 'steps' | 'warnings'> & { note?: string; rule: { event: string } | null };

/** The rule, the article, the warnings and the explanation of a deadline. */
function DeadlineFacts({ d, lang, article }: { d: Facts; lang: Lang; article: string }) {
  const { t } = useTranslation();
  return (
    <>
      {article && <p className="hint">{article}</p>}
      {d.triggerOn && d.rule && (
        <p className="hint">
          {t('deadlines.from', { event: d.rule.event, date: formatDate(d.triggerOn, lang) })}
          {d.extended && d.rawEndOn && ` ${t('deadlines.extendedFrom', { date: formatDate(d.rawEndOn, lang) })}`}
        </p>
      )}
      {d.note && <p className="prewrap">{d.note}</p>}
      {d.warnings.length > 0 && (
        <div className="warning">
          <p>{t('deadlines.warnings')}</p>
          <ul>
            {d.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      {d.steps.length > 0 && (
        <details>
          <summary>{t('deadlines.explanation')}</summary>
          <ol>
            {d.steps.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </details>
      )}
    </>
  );
}

function DeadlineActions({ d, onDone }: { d: DeadlineRow; onDone: (message?: string) => void }) {
  const { t } = useTranslation();
  const complete = useAction();
  const [confirm, setConfirm] = useState(false);
  const markDone = async () => {
    if (await complete.run(COMPLETE_DEADLINE, { id: d.id })) onDone(t('deadlines.marked'));
  };
  return (
    <div className="hearing-actions">
      <ErrorSummary error={complete.error} />
      <button type="button" className="secondary" disabled={complete.busy} onClick={() => void markDone()}>
        {t('deadlines.markDone')}
        <span className="visually-hidden"> — {deadlineTitle(d)}</span>
      </button>{' '}
      <button type="button" className="secondary" onClick={() => setConfirm(true)}>
        {t('deadlines.cancel')}
        <span className="visually-hidden"> — {deadlineTitle(d)}</span>
      </button>
      {confirm && <CancelDialog d={d} onClose={() => setConfirm(false)} onDone={() => { setConfirm(false); onDone(t('deadlines.cancelled')); }} />}
    </div>
  );
}

/** The confirmation of a cancellation, with its reason. */
function CancelDialog({ d, onClose, onDone }: { d: DeadlineRow; onClose: () => void; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [reason, setReason] = useState('');
  const a = useAction();
  const submit = async () => {
    const p: Problems = {};
    if (!reason.trim()) p.reason = 'forms.required';
    if (await a.run(CANCEL_DEADLINE, { id: d.id, reason: reason.trim() }, p)) onDone();
  };
  return (
    <Dialog title={t('deadlines.cancelTitle')} onClose={onClose}>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p>{t('deadlines.cancelIntro', { title: deadlineTitle(d), date: formatDate(d.dueOn, lang) })}</p>
        <ErrorSummary error={localise(a.error, t)} />
        <TextAreaField label={t('deadlines.cancelReason')} name="reason" required rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} error={localise(a.error, t)} />
        <div className="actions">
          <button type="submit" className="danger" disabled={a.busy}>{a.busy ? t('forms.saving') : t('deadlines.cancelConfirm')}</button>{' '}
          <button type="button" className="secondary" onClick={onClose}>{t('deadlines.cancelBack')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** "Calculer une échéance": a rule, the day of its event; shows the computed date and its explanation. */
function ComputeDeadlineForm({ dossierId, proceedings, onDone }: { dossierId: string; proceedings: readonly ProceedingRow[]; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [open, setOpen] = useState(false);
  const [ruleId, setRuleId] = useState('');
  const [proceedingId, setProceedingId] = useState(() => currentProceeding(proceedings));
  const [triggerOn, setTriggerOn] = useState(() => parisDay(new Date()));
  const [result, setResult] = useState<DeadlineRow | null>(null);
  const [{ data: rules }] = useQuery({ query: DEADLINE_RULES, variables: { at: orNull(triggerOn) }, pause: !open });
  // The date and its explanation before saving (not stored); a date being typed may not parse yet.
  const complete = !!ruleId && /^\d{4}-\d{2}-\d{2}$/.test(triggerOn);
  const [{ data: preview }] = useQuery({ query: DEADLINE_PREVIEW, variables: { ruleId, triggerOn }, pause: !open || !complete || !!result });
  const a = useAction();
  const groups = groupRules(rules?.deadlineRules ?? []);
  const chosen = rules?.deadlineRules.find((r) => r.id === ruleId);
  const error = localise(a.error, t);
  const submit = async () => {
    const p: Problems = {};
    if (!ruleId) p.ruleId = 'forms.required';
    if (!triggerOn) p.triggerOn = 'forms.required';
    const r = await a.run(COMPUTE_DEADLINE, { input: { dossierId, proceedingId: orNull(proceedingId), ruleId, triggerOn } }, p);
    if (!r) return;
    setResult(r.computeDeadline);
    onDone();
  };
  return (
    <Disclosure label={t('deadlines.compute')} open={open} onToggle={setOpen}>
      <ActionForm label={t('deadlines.compute')} onSubmit={() => void submit()} error={error} busy={a.busy} submitLabel={t('deadlines.computeSubmit')}>
        <ProceedingPicker value={proceedingId} onChange={setProceedingId} proceedings={proceedings} error={error} />
        <RulePicker value={ruleId} onChange={(v) => { setRuleId(v); setResult(null); }} groups={groups} error={error} />
        {chosen && (
          <p className="hint">
            {t('deadlines.ruleSummary', { appliesTo: chosen.appliesTo, duration: chosen.duration || t('deadlines.noDuration'), event: chosen.event, citation: chosen.citation })}
          </p>
        )}
        <Field label={chosen ? t('deadlines.triggerOnOf', { event: chosen.event }) : t('deadlines.triggerOn')} name="triggerOn" type="date" required value={triggerOn}
          onChange={(e) => { setTriggerOn(e.target.value); setResult(null); }} error={error} />
      </ActionForm>
      {!result && complete && preview?.deadlinePreview && (
        <div className="notice deadline-preview">
          <p>
            <strong>{t('deadlines.preview', { date: formatDayLong(preview.deadlinePreview.dueOn, lang) })}</strong>
          </p>
          <p className="hint">{t('deadlines.previewHint')}</p>
          <DeadlineFacts d={preview.deadlinePreview} lang={lang} article={articleText(preview.deadlinePreview.codeVersion, preview.deadlinePreview.article, lang)} />
        </div>
      )}
      {result && (
        <div className="notice" role="status" aria-live="polite">
          <p>
            <strong>{t('deadlines.computed', { date: formatDayLong(result.dueOn, lang) })}</strong>
          </p>
          <p>{deadlineTitle(result)}</p>
          <DeadlineFacts d={result} lang={lang} article={articleText(result.codeVersion, result.article, lang)} />
        </div>
      )}
    </Disclosure>
  );
}

function RulePicker({ value, onChange, groups, error }: {
  value: string; onChange: (v: string) => void; groups: ReturnType<typeof groupRules<{ id: string; title: string }>>; error: DescribedError | null;
}) {
  const { t } = useTranslation();
  const problem = error?.fields.find((f) => f.field === 'ruleId' || f.field.endsWith('.ruleId'));
  return (
    <div className="field">
      <label htmlFor="deadline-rule">{t('deadlines.rule')}</label>
      {problem && <p className="field-error" id="deadline-rule-error">{problem.message}</p>}
      <select id="deadline-rule" name="ruleId" required value={value} onChange={(e) => onChange(e.target.value)}
        aria-invalid={problem ? true : undefined} aria-describedby={problem ? 'deadline-rule-error' : undefined}>
        <option value="">{t('deadlines.chooseRule')}</option>
        {groups.map((g) => (
          <optgroup key={g.group} label={t(`deadlines.groups.${g.group}`)}>
            {g.rules.map((r) => (
              <option key={r.id} value={r.id}>{r.title}</option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

/** The ongoing proceeding (the latest), the forms' default: a deadline usually follows its stage. */
export function currentProceeding(proceedings: readonly { id: string; status: string }[]): string {
  const ongoing = proceedings.filter((p) => p.status === 'ONGOING');
  return (ongoing[ongoing.length - 1] ?? proceedings[proceedings.length - 1])?.id ?? '';
}

function ProceedingPicker({ value, onChange, proceedings, error }: {
  value: string; onChange: (v: string) => void; proceedings: readonly ProceedingRow[]; error: DescribedError | null;
}) {
  const { t } = useTranslation();
  return (
    <SelectField label={t('hearing.proceeding')} name="proceedingId" value={value} onChange={(e) => onChange(e.target.value)} error={error}
      options={[{ value: '', label: t('hearing.noProceeding') }, ...proceedings.map((p) => ({ value: p.id, label: proceedingName(p, t) }))]} />
  );
}

/** "Ajouter une échéance manuelle": a title, a date, a note. */
function ManualDeadlineForm({ dossierId, proceedings, onDone }: { dossierId: string; proceedings: readonly ProceedingRow[]; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [proceedingId, setProceedingId] = useState(() => currentProceeding(proceedings));
  const [title, setTitle] = useState('');
  const [dueOn, setDueOn] = useState('');
  const [note, setNote] = useState('');
  const a = useAction();
  const error = localise(a.error, t);
  const submit = async () => {
    const p: Problems = {};
    if (!title.trim()) p.title = 'forms.required';
    if (!dueOn) p.dueOn = 'forms.required';
    const r = await a.run(ADD_MANUAL_DEADLINE, { input: { dossierId, proceedingId: orNull(proceedingId), title: title.trim(), dueOn, note: orNull(note) } }, p);
    if (!r) return;
    setTitle('');
    setDueOn('');
    setNote('');
    setOpen(false);
    onDone();
  };
  return (
    <Disclosure label={t('deadlines.addManual')} open={open} onToggle={setOpen}>
      <ActionForm label={t('deadlines.addManual')} onSubmit={() => void submit()} error={error} busy={a.busy} submitLabel={t('deadlines.addManualSubmit')}>
        <ProceedingPicker value={proceedingId} onChange={setProceedingId} proceedings={proceedings} error={error} />
        <Field label={t('deadlines.title')} name="title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} error={error} />
        <Field label={t('deadlines.dueOn')} hint={t('deadlines.dueOnHint')} name="dueOn" type="date" required value={dueOn} onChange={(e) => setDueOn(e.target.value)} error={error} />
        <TextAreaField label={t('deadlines.note')} name="note" rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} error={error} />
      </ActionForm>
    </Disclosure>
  );
}
