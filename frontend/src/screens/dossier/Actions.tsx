// The legal actions of a dossier page. Each form is shown only to roles that
// may use it (the API refuses anyway) and shows the API's field errors
// beside the fields.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { type DescribedError } from '../../api/errors';
import { useAction } from '../../api/useAction';
import {
  ADD_CHARGE,
  ADD_DEFENDANT,
  ADD_VICTIM,
  AUTHORITIES,
  DEFENDANT_ROLES,
  HEARING_KINDS,
  PARTICIPATIONS,
  PENAL_ARTICLES,
  REQUALIFY_CHARGE,
  REVEAL_IDENTITY,
  SCHEDULE_HEARING,
  CANCEL_HEARING,
  CLOSE_DOSSIER,
  MOVE_HEARING,
  RECORD_HEARING_OUTCOME,
  REOPEN_DOSSIER,
  SET_VICTIM_IDENTITY,
  SET_DEFENDANT_IDENTITY,
  UPDATE_DEFENDANT,
  type ChargeRow,
  type DossierData,
  type DossierHearingRow,
  type Identity,
  type RevealIdentityData,
} from '../../api/queries';
import { CountryField, Dialog, Disclosure, Done, ErrorSummary, Field, SelectField, TextAreaField } from '../../components';
import { formatDate, parisDay, parisLocalInput, parisLocalToRfc3339, type Lang } from '../../lib/datetime';
import { orNull, parseAge, splitList, type Problems } from '../../lib/forms';

type Dossier = NonNullable<DossierData['dossier']>;


export function ActionForm({ label, onSubmit, error, busy, submitLabel, children }: {
  label: string; onSubmit: () => void; error: DescribedError | null; busy: boolean; submitLabel: string; children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <form
      className="form action-form"
      aria-label={label}
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <ErrorSummary error={error} />
      {children}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? t('forms.saving') : submitLabel}
        </button>
      </div>
    </form>
  );
}

export function AddVictimForm({ dossierId, onDone }: { dossierId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [pseudonym, setPseudonym] = useState('');
  const [age, setAge] = useState('');
  const [country, setCountry] = useState('');
  const a = useAction();
  const submit = async () => {
    const p: Problems = {};
    if (!pseudonym.trim()) p.pseudonym = 'forms.required';
    const ageAtFacts = parseAge(age);
    if (ageAtFacts === undefined) p.ageAtFacts = 'forms.age';
    const r = await a.run(ADD_VICTIM, { input: { dossierId, pseudonym: pseudonym.trim(), ageAtFacts: ageAtFacts ?? null, country: orNull(country) } }, p);
    if (!r) return;
    setDone(t('actions.victimAdded', { name: pseudonym.trim() }));
    setPseudonym('');
    setAge('');
    setCountry('');
    setOpen(false);
    onDone();
  };
  return (
    <>
      <Done message={done} />
      <Disclosure label={t('actions.addVictim')} open={open} onToggle={(o) => { setOpen(o); setDone(null); }}>
        <ActionForm label={t('actions.addVictim')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('actions.addVictim')}>
          <Field label={t('actions.pseudonym')} hint={t('actions.pseudonymHint')} name="pseudonym" required maxLength={80} value={pseudonym} onChange={(e) => setPseudonym(e.target.value)} error={a.error} />
          <Field label={t('actions.ageAtFacts')} name="ageAtFacts" inputMode="numeric" value={age} onChange={(e) => setAge(e.target.value)} error={a.error} />
          <CountryField label={t('actions.country')} name="country" value={country} onChange={setCountry} error={a.error} />
        </ActionForm>
      </Disclosure>
    </>
  );
}

export function AddDefendantForm({ dossierId, onDone }: { dossierId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [pseudonym, setPseudonym] = useState('');
  const [role, setRole] = useState<string>('OTHER');
  const [country, setCountry] = useState('');
  const a = useAction();
  const submit = async () => {
    const p: Problems = {};
    if (!pseudonym.trim()) p.pseudonym = 'forms.required';
    const r = await a.run(ADD_DEFENDANT, { input: { dossierId, pseudonym: pseudonym.trim(), role, country: orNull(country) } }, p);
    if (!r) return;
    setDone(t('actions.defendantAdded', { name: pseudonym.trim() }));
    setPseudonym('');
    setCountry('');
    setOpen(false);
    onDone();
  };
  return (
    <>
      <Done message={done} />
      <Disclosure label={t('actions.addDefendant')} open={open} onToggle={(o) => { setOpen(o); setDone(null); }}>
        <ActionForm label={t('actions.addDefendant')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('actions.addDefendant')}>
          <Field label={t('actions.pseudonym')} hint={t('actions.pseudonymHint')} name="pseudonym" required maxLength={80} value={pseudonym} onChange={(e) => setPseudonym(e.target.value)} error={a.error} />
          <SelectField label={t('actions.defendantRole')} name="role" value={role} onChange={(e) => setRole(e.target.value)} error={a.error}
            options={DEFENDANT_ROLES.map((r) => ({ value: r, label: t(`enums.DefendantRole.${r}`) }))} />
          <CountryField label={t('actions.country')} name="country" value={country} onChange={setCountry} error={a.error} />
        </ActionForm>
      </Disclosure>
    </>
  );
}

/**
 * "Afficher l'identité": asks for a reason (kept in the audit log), then
 * shows the identity inside the dialog only. Closing the dialog unmounts it
 * and drops the identity; it is never put in the GraphQL cache or storage.
 */
/** How a revealed identity may be corrected: the mutation that writes it, and what to do once saved. */
export interface IdentityCorrection {
  mutation: IdentityMutation;
  onDone: () => void;
}

export function RevealIdentity({ personId, pseudonym, correct }: { personId: string; pseudonym: string; correct?: IdentityCorrection }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const saved = () => {
    setOpen(false);
    setDone(t('identity.saved', { name: pseudonym }));
    correct?.onDone();
  };
  return (
    <>
      <button type="button" className="secondary small" onClick={() => { setDone(null); setOpen(true); }} aria-haspopup="dialog">
        {t('identity.show')}
        <span className="visually-hidden"> — {pseudonym}</span>
      </button>
      <Done message={done} />
      {open && <RevealDialog personId={personId} pseudonym={pseudonym} correct={correct && { ...correct, onDone: saved }} onClose={() => setOpen(false)} />}
    </>
  );
}

function RevealDialog({ personId, pseudonym, correct, onClose }: { personId: string; pseudonym: string; correct?: IdentityCorrection; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [reason, setReason] = useState('');
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [editing, setEditing] = useState(false);
  // The form that had focus is replaced by the identity: focus its close button.
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (identity && !editing) closeRef.current?.focus();
  }, [identity, editing]);
  const a = useAction();
  const submit = async () => {
    const p: Problems = {};
    if (reason.trim().length < 5) p.reason = 'identity.reasonTooShort';
    const r = await a.run<RevealIdentityData>(REVEAL_IDENTITY, { personId, reason: reason.trim() }, p);
    if (r) setIdentity(r.revealIdentity);
  };
  const rows: [string, string][] = identity
    ? ([
        [t('identity.legalName'), identity.legalName],
        [t('identity.birthDate'), formatDate(identity.birthDate, lang)],
        [t('identity.address'), identity.address],
        [t('identity.phone'), identity.phone],
        [t('identity.email'), identity.email],
        [t('identity.legalRepresentative'), identity.legalRepresentative],
        [t('identity.adHocAdministrator'), identity.adHocAdministrator],
      ] as [string, string][]).filter(([, v]) => v)
    : [];
  let body: ReactNode;
  if (identity && editing && correct) {
    // Corrected from what was revealed (and audited): the fields left alone keep their value.
    body = <CorrectIdentity identity={identity} personId={personId} pseudonym={pseudonym} correct={correct} onCancel={() => setEditing(false)} />;
  } else if (identity) {
    body = (
      <>
        <p className="notice">{t('identity.audited')}</p>
        <dl className="details">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt>{k}</dt>
              <dd className="prewrap">{v}</dd>
            </div>
          ))}
        </dl>
        <div className="actions">
          <button type="button" ref={closeRef} onClick={onClose}>
            {t('identity.close')}
          </button>
          {correct && (
            <button type="button" className="secondary" onClick={() => setEditing(true)}>
              {t('identity.correct')}
            </button>
          )}
        </div>
      </>
    );
  } else {
    body = (
      <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <p>{t('identity.intro')}</p>
        <ErrorSummary error={a.error} />
        <TextAreaField label={t('identity.reason')} hint={t('identity.reasonHint')} name="reason" required rows={3} value={reason} onChange={(e) => setReason(e.target.value)} error={a.error} />
        <div className="actions">
          <button type="submit" disabled={a.busy}>
            {t('identity.confirm')}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('forms.cancel')}
          </button>
        </div>
      </form>
    );
  }
  return (
    <Dialog title={t('identity.title', { name: pseudonym })} onClose={onClose}>
      {body}
    </Dialog>
  );
}

/** The correction form inside the reveal dialog, filled with the revealed identity. */
function CorrectIdentity({ identity, personId, pseudonym, correct, onCancel }: {
  identity: Identity; personId: string; pseudonym: string; correct: IdentityCorrection; onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [v, setV] = useState<IdentityValues>(() => ({
    legalName: identity.legalName,
    birthDate: identity.birthDate ?? '',
    address: identity.address,
    phone: identity.phone,
    email: identity.email,
    legalRepresentative: identity.legalRepresentative,
    adHocAdministrator: identity.adHocAdministrator,
  }));
  const a = useAction();
  const submit = async () => {
    const { problems, input } = identityInput(v);
    const r = await a.run(correct.mutation, { id: personId, input }, problems);
    if (r) correct.onDone();
  };
  return (
    <form noValidate aria-label={`${t('identity.correct')} — ${pseudonym}`} onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <p className="hint">{t('identity.correctIntro')}</p>
      <ErrorSummary error={a.error} />
      <IdentityFields v={v} set={setV} error={a.error} />
      <div className="actions">
        <button type="submit" disabled={a.busy}>
          {t('identity.saveCorrection')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('forms.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Fields shared by adding and requalifying a charge. */
interface ChargeValues {
  article: string;
  articleVersionDate: string;
  wording: string;
  aggravating: string;
  participation: string;
  retainedBy: string;
  retainedOn: string;
}
const emptyCharge = (): ChargeValues => ({
  article: '',
  articleVersionDate: '',
  wording: '',
  aggravating: '',
  participation: 'AUTHOR',
  retainedBy: 'PROSECUTOR',
  retainedOn: parisDay(new Date()),
});

function chargeProblems(v: ChargeValues): Problems {
  const p: Problems = {};
  if (!v.article) p.article = 'forms.required';
  if (!v.retainedOn) p.retainedOn = 'forms.required';
  return p;
}

function chargeInput(v: ChargeValues) {
  return {
    article: v.article,
    articleVersionDate: orNull(v.articleVersionDate),
    wording: orNull(v.wording),
    aggravatingCircumstances: splitList(v.aggravating),
    participation: v.participation,
    retainedBy: v.retainedBy,
    retainedOn: v.retainedOn,
  };
}

function ChargeFields({ v, set, error }: { v: ChargeValues; set: (v: ChargeValues) => void; error: DescribedError | null }) {
  const { t } = useTranslation();
  const [{ data }] = useQuery({ query: PENAL_ARTICLES });
  const articles = data?.penalArticles ?? [];
  const u = (k: keyof ChargeValues) => (e: { target: { value: string } }) => set({ ...v, [k]: e.target.value });
  return (
    <>
      <SelectField label={t('charge.article')} name="article" required value={v.article} onChange={u('article')} error={error}
        options={[{ value: '', label: t('forms.choose') }, ...articles.map((a) => ({ value: a.article, label: `${a.article} — ${a.heading}` }))]} />
      <Field label={t('charge.versionDate')} name="articleVersionDate" type="date" value={v.articleVersionDate} onChange={u('articleVersionDate')} error={error} />
      <TextAreaField label={t('charge.wording')} name="wording" rows={3} value={v.wording} onChange={u('wording')} error={error} />
      <Field label={t('charge.aggravating')} hint={t('dossierForm.listHint')} name="aggravatingCircumstances" value={v.aggravating} onChange={u('aggravating')} error={error} />
      <SelectField label={t('charge.participation')} name="participation" value={v.participation} onChange={u('participation')} error={error}
        options={PARTICIPATIONS.map((p) => ({ value: p, label: t(`enums.Participation.${p}`) }))} />
      <SelectField label={t('charge.retainedBy')} name="retainedBy" value={v.retainedBy} onChange={u('retainedBy')} error={error}
        options={AUTHORITIES.map((p) => ({ value: p, label: t(`enums.Authority.${p}`) }))} />
      <Field label={t('charge.retainedOn')} name="retainedOn" type="date" required value={v.retainedOn} onChange={u('retainedOn')} error={error} />
    </>
  );
}

export function AddChargeForm({ dossier, onDone }: { dossier: Dossier; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [v, setV] = useState<ChargeValues>(emptyCharge);
  const [defendantId, setDefendantId] = useState('');
  const a = useAction();
  const submit = async () => {
    const r = await a.run(ADD_CHARGE, { input: { dossierId: dossier.id, defendantId: orNull(defendantId), ...chargeInput(v) } }, chargeProblems(v));
    if (!r) return;
    setDone(t('charge.added'));
    setV(emptyCharge());
    setOpen(false);
    onDone();
  };
  return (
    <>
      <Done message={done} />
      <Disclosure label={t('charge.add')} open={open} onToggle={(o) => { setOpen(o); setDone(null); }}>
        <ActionForm label={t('charge.add')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('charge.add')}>
          <SelectField label={t('charge.defendant')} name="defendantId" value={defendantId} onChange={(e) => setDefendantId(e.target.value)} error={a.error}
            options={[{ value: '', label: t('charge.noDefendant') }, ...dossier.defendants.map((d) => ({ value: d.id, label: d.pseudonym }))]} />
          <ChargeFields v={v} set={setV} error={a.error} />
        </ActionForm>
      </Disclosure>
    </>
  );
}

/** The current qualification as the requalification form's starting point: only what changes is retyped. */
export function chargeValues(c: ChargeRow, today: string): ChargeValues {
  return {
    article: c.article,
    articleVersionDate: c.articleVersionDate ?? '',
    wording: c.wording,
    aggravating: c.aggravatingCircumstances.join(', '),
    participation: c.participation,
    retainedBy: c.retainedBy,
    retainedOn: today,
  };
}

export function RequalifyForm({ charge, onDone }: { charge: ChargeRow; onDone: () => void }) {
  const { t } = useTranslation();
  const chargeId = charge.id;
  const article = charge.article;
  const [open, setOpen] = useState(false);
  const [v, setV] = useState<ChargeValues>(() => chargeValues(charge, parisDay(new Date())));
  const [reason, setReason] = useState('');
  const a = useAction();
  const submit = async () => {
    const p = chargeProblems(v);
    if (!reason.trim()) p.reason = 'forms.required';
    const r = await a.run(REQUALIFY_CHARGE, { id: chargeId, input: { ...chargeInput(v), reason: reason.trim() } }, p);
    if (!r) return;
    setOpen(false);
    onDone();
  };
  return (
    <Disclosure label={t('charge.requalify', { article })} open={open} onToggle={(o) => { setOpen(o); if (o) { setV(chargeValues(charge, parisDay(new Date()))); setReason(''); a.setError(null); } }}>
      <ActionForm label={t('charge.requalify', { article })} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('charge.requalifySubmit')}>
        <ChargeFields v={v} set={setV} error={a.error} />
        <TextAreaField label={t('charge.reason')} name="reason" required rows={2} value={reason} onChange={(e) => setReason(e.target.value)} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}

/** Start and end typed in Paris wall-clock time, checked and turned into RFC 3339 instants with the right offset. */
function hearingTimes(v: { startsAt: string; endsAt: string }) {
  const problems: Problems = {};
  const startsAt = parisLocalToRfc3339(v.startsAt);
  if (!v.startsAt) problems.startsAt = 'forms.required';
  else if (!startsAt) problems.startsAt = 'hearing.noSuchTime';
  let endsAt: string | null = null;
  if (v.endsAt) {
    endsAt = parisLocalToRfc3339(v.endsAt);
    if (!endsAt) problems.endsAt = 'hearing.noSuchTime';
    else if (startsAt && new Date(endsAt) <= new Date(startsAt)) problems.endsAt = 'hearing.endBeforeStart';
  }
  return { problems, startsAt: startsAt ?? '', endsAt };
}

/** The input of the hearing form: Paris wall-clock times become RFC 3339 instants with the right offset. */
export function hearingInput(v: { startsAt: string; endsAt: string; kind: string; courtRoom: string; attendees: string; proceedingId: string }, dossierId: string) {
  const { problems, startsAt, endsAt } = hearingTimes(v);
  return {
    problems,
    input: {
      dossierId,
      proceedingId: orNull(v.proceedingId),
      kind: v.kind,
      startsAt,
      endsAt,
      courtRoom: orNull(v.courtRoom),
      attendees: splitList(v.attendees),
    },
  };
}

/** The input of moveHearing: new Paris wall-clock times; an empty room leaves the room unchanged. */
export function moveHearingInput(v: { startsAt: string; endsAt: string; courtRoom: string }) {
  const { problems, startsAt, endsAt } = hearingTimes(v);
  return { problems, input: { startsAt, endsAt, courtRoom: orNull(v.courtRoom) } };
}

export function ScheduleHearingForm({ dossier, onDone }: { dossier: Dossier; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [v, setV] = useState({ startsAt: '', endsAt: '', kind: 'TRIAL', courtRoom: '', attendees: '', proceedingId: '' });
  const a = useAction();
  const u = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async () => {
    const { problems, input } = hearingInput(v, dossier.id);
    const r = await a.run(SCHEDULE_HEARING, { input }, problems);
    if (!r) return;
    setDone(t('hearing.scheduled'));
    setV({ startsAt: '', endsAt: '', kind: 'TRIAL', courtRoom: '', attendees: '', proceedingId: '' });
    setOpen(false);
    onDone();
  };
  return (
    <>
      <Done message={done} />
      <Disclosure label={t('hearing.schedule')} open={open} onToggle={(o) => { setOpen(o); setDone(null); }}>
        <ActionForm label={t('hearing.schedule')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('hearing.schedule')}>
          <p className="hint">{t('hearing.parisTime')}</p>
          <Field label={t('hearing.startsAt')} name="startsAt" type="datetime-local" required value={v.startsAt} onChange={u('startsAt')} error={a.error} />
          <Field label={t('hearing.endsAt')} name="endsAt" type="datetime-local" value={v.endsAt} onChange={u('endsAt')} error={a.error} />
          <SelectField label={t('hearing.kind')} name="kind" value={v.kind} onChange={u('kind')} error={a.error}
            options={HEARING_KINDS.map((k) => ({ value: k, label: t(`enums.HearingKind.${k}`) }))} />
          <SelectField label={t('hearing.proceeding')} name="proceedingId" value={v.proceedingId} onChange={u('proceedingId')} error={a.error}
            options={[{ value: '', label: t('hearing.noProceeding') }, ...dossier.proceedings.map((p) => ({ value: p.id, label: `${t(`enums.Stage.${p.stage}`)} — ${p.courtName || t(`enums.CourtKind.${p.courtKind}`)}` }))]} />
          <Field label={t('hearing.courtRoom')} name="courtRoom" value={v.courtRoom} onChange={u('courtRoom')} error={a.error} />
          <Field label={t('hearing.attendees')} hint={t('hearing.attendeesHint')} name="attendees" value={v.attendees} onChange={u('attendees')} error={a.error} />
        </ActionForm>
      </Disclosure>
    </>
  );
}

/** "Déplacer": a new start and end in Paris time, and optionally a new room. */
export function MoveHearingForm({ hearing, onDone }: { hearing: DossierHearingRow; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const initial = () => ({ startsAt: parisLocalInput(hearing.startsAt), endsAt: parisLocalInput(hearing.endsAt), courtRoom: hearing.courtRoom });
  const [v, setV] = useState(initial);
  const a = useAction();
  const u = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async () => {
    const { problems, input } = moveHearingInput(v);
    const r = await a.run(MOVE_HEARING, { id: hearing.id, input }, problems);
    if (!r) return;
    setOpen(false);
    onDone(t('hearing.moved'));
  };
  return (
    <Disclosure label={t('hearing.move')} open={open} onToggle={(o) => { setOpen(o); if (o) { setV(initial()); a.setError(null); } }}>
      <ActionForm label={t('hearing.move')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('hearing.moveSubmit')}>
        <p className="hint">{t('hearing.parisTime')}</p>
        <Field label={t('hearing.startsAt')} name="startsAt" type="datetime-local" required value={v.startsAt} onChange={u('startsAt')} error={a.error} />
        <Field label={t('hearing.endsAt')} name="endsAt" type="datetime-local" value={v.endsAt} onChange={u('endsAt')} error={a.error} />
        <Field label={t('hearing.courtRoom')} hint={t('hearing.courtRoomHint')} name="courtRoom" maxLength={200} value={v.courtRoom} onChange={u('courtRoom')} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}

/** "Annuler": cancels a hearing, with a required reason. */
export function CancelHearingForm({ hearingId, onDone }: { hearingId: string; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const a = useAction();
  const submit = async () => {
    const p: Problems = {};
    if (!reason.trim()) p.reason = 'forms.required';
    const r = await a.run(CANCEL_HEARING, { id: hearingId, reason: reason.trim() }, p);
    if (!r) return;
    setReason('');
    setOpen(false);
    onDone(t('hearing.cancelled'));
  };
  return (
    <Disclosure label={t('hearing.cancel')} open={open} onToggle={setOpen}>
      <ActionForm label={t('hearing.cancel')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('hearing.cancelSubmit')}>
        <TextAreaField label={t('hearing.cancelReason')} name="reason" required rows={2} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}

/** "Compte rendu": records what happened; the hearing becomes held. */
export function HearingOutcomeForm({ hearingId, onDone }: { hearingId: string; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const a = useAction();
  const submit = async () => {
    const p: Problems = {};
    if (!note.trim()) p.note = 'forms.required';
    const r = await a.run(RECORD_HEARING_OUTCOME, { id: hearingId, note: note.trim() }, p);
    if (!r) return;
    setNote('');
    setOpen(false);
    onDone(t('hearing.outcomeRecorded'));
  };
  return (
    <Disclosure label={t('hearing.outcome')} open={open} onToggle={setOpen}>
      <ActionForm label={t('hearing.outcome')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('hearing.outcomeSubmit')}>
        <TextAreaField label={t('hearing.outcomeNote')} hint={t('hearing.outcomeHint')} name="note" required rows={4} maxLength={4000} value={note} onChange={(e) => setNote(e.target.value)} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}

/** The actions on a scheduled hearing, with one success message for all three. */
export function HearingActions({ hearing, canMove, onDone }: { hearing: DossierHearingRow; canMove: boolean; onDone: () => void }) {
  const [done, setDone] = useState<string | null>(null);
  const finish = (message: string) => {
    setDone(message);
    onDone();
  };
  return (
    <div className="hearing-actions">
      <Done message={done} />
      {hearing.status === 'SCHEDULED' && (
        <>
          {canMove && <MoveHearingForm hearing={hearing} onDone={finish} />}
          <CancelHearingForm hearingId={hearing.id} onDone={finish} />
          <HearingOutcomeForm hearingId={hearing.id} onDone={finish} />
        </>
      )}
    </div>
  );
}

/** "Clôturer": closing date (today when empty) and reason. */
export function CloseDossierForm({ dossierId, onDone }: { dossierId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [closedOn, setClosedOn] = useState(() => parisDay(new Date()));
  const [reason, setReason] = useState('');
  const a = useAction();
  const submit = async () => {
    const p: Problems = {};
    if (!reason.trim()) p.reason = 'forms.required';
    const r = await a.run(CLOSE_DOSSIER, { id: dossierId, input: { closedOn: orNull(closedOn), reason: reason.trim() } }, p);
    if (!r) return;
    setReason('');
    setOpen(false);
    onDone();
  };
  return (
    <Disclosure label={t('closing.close')} open={open} onToggle={setOpen}>
      <ActionForm label={t('closing.close')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('closing.closeSubmit')}>
        <Field label={t('closing.closedOn')} hint={t('closing.closedOnHint')} name="closedOn" type="date" value={closedOn} onChange={(e) => setClosedOn(e.target.value)} error={a.error} />
        <TextAreaField label={t('closing.reason')} name="reason" required rows={3} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}

/** "Rouvrir": reopens a closed dossier. */
export function ReopenDossierForm({ dossierId, onDone }: { dossierId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const a = useAction();
  const submit = async () => {
    const r = await a.run(REOPEN_DOSSIER, { id: dossierId });
    if (!r) return;
    setOpen(false);
    onDone();
  };
  return (
    <Disclosure label={t('closing.reopen')} open={open} onToggle={setOpen}>
      <ActionForm label={t('closing.reopen')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('closing.reopenSubmit')}>
        <p>{t('closing.reopenIntro')}</p>
      </ActionForm>
    </Disclosure>
  );
}

type IdentityValues = { legalName: string; birthDate: string; address: string; phone: string; email: string; legalRepresentative: string; adHocAdministrator: string };
type IdentityMutation = typeof SET_VICTIM_IDENTITY | typeof SET_DEFENDANT_IDENTITY;

const emptyIdentity = (): IdentityValues => ({ legalName: '', birthDate: '', address: '', phone: '', email: '', legalRepresentative: '', adHocAdministrator: '' });

/** The input of setVictimIdentity: empty fields as null. */
export function identityInput(v: IdentityValues) {
  const problems: Problems = {};
  if (!v.legalName.trim()) problems.legalName = 'forms.required';
  return {
    problems,
    input: {
      legalName: v.legalName.trim(),
      birthDate: orNull(v.birthDate),
      address: orNull(v.address),
      phone: orNull(v.phone),
      email: orNull(v.email),
      legalRepresentative: orNull(v.legalRepresentative),
      adHocAdministrator: orNull(v.adHocAdministrator),
    },
  };
}

function IdentityFields({ v, set, error }: { v: IdentityValues; set: (v: IdentityValues) => void; error: DescribedError | null }) {
  const { t } = useTranslation();
  const u = (k: keyof IdentityValues) => (e: { target: { value: string } }) => set({ ...v, [k]: e.target.value });
  return (
    <>
      <Field label={t('identity.legalName')} name="legalName" required maxLength={200} autoComplete="off" value={v.legalName} onChange={u('legalName')} error={error} />
      <Field label={t('identity.birthDate')} name="birthDate" type="date" autoComplete="off" value={v.birthDate} onChange={u('birthDate')} error={error} />
      <TextAreaField label={t('identity.address')} name="address" rows={2} maxLength={500} autoComplete="off" value={v.address} onChange={u('address')} error={error} />
      <Field label={t('identity.phone')} name="phone" type="tel" maxLength={40} autoComplete="off" value={v.phone} onChange={u('phone')} error={error} />
      <Field label={t('identity.email')} name="email" type="email" maxLength={254} autoComplete="off" value={v.email} onChange={u('email')} error={error} />
      <Field label={t('identity.legalRepresentative')} name="legalRepresentative" maxLength={300} autoComplete="off" value={v.legalRepresentative} onChange={u('legalRepresentative')} error={error} />
      <Field label={t('identity.adHocAdministrator')} name="adHocAdministrator" maxLength={300} autoComplete="off" value={v.adHocAdministrator} onChange={u('adHocAdministrator')} error={error} />
    </>
  );
}

/**
 * "Saisir l'identité": writes the identity of a victim or a defendant who
 * has none yet. The values are dropped as soon as the API accepts them; only
 * hasIdentity comes back. A recorded identity is corrected from the audited
 * reveal (RevealIdentity), never retyped from an empty form.
 */
function IdentityForm({ mutation, personId, pseudonym, onDone }: { mutation: IdentityMutation; personId: string; pseudonym: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [v, setV] = useState(emptyIdentity);
  const a = useAction();
  const close = () => {
    setV(emptyIdentity());
    a.setError(null);
    setOpen(false);
  };
  const submit = async () => {
    const { problems, input } = identityInput(v);
    const r = await a.run(mutation, { id: personId, input }, problems);
    if (!r) return;
    close();
    setDone(t('identity.saved', { name: pseudonym }));
    onDone();
  };
  const label = `${t('identity.set')} — ${pseudonym}`;
  return (
    <>
      <Done message={done} />
      <Disclosure label={t('identity.set')} open={open} onToggle={(o) => { if (o) { setOpen(true); setDone(null); } else close(); }}>
        <ActionForm label={label} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('identity.save')}>
          <p className="hint">{t('identity.setIntro')}</p>
          <IdentityFields v={v} set={setV} error={a.error} />
        </ActionForm>
      </Disclosure>
    </>
  );
}

export function VictimIdentityForm({ victimId, ...rest }: { victimId: string; pseudonym: string; onDone: () => void }) {
  return <IdentityForm mutation={SET_VICTIM_IDENTITY} personId={victimId} {...rest} />;
}

export function DefendantIdentityForm({ defendantId, ...rest }: { defendantId: string; pseudonym: string; onDone: () => void }) {
  return <IdentityForm mutation={SET_DEFENDANT_IDENTITY} personId={defendantId} {...rest} />;
}

/** "Modifier": a defendant's pseudonym, role and country. */
export function UpdateDefendantForm({ defendant, onDone }: { defendant: Dossier['defendants'][number]; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const initial = () => ({ pseudonym: defendant.pseudonym, role: defendant.role, country: defendant.country });
  const [v, setV] = useState(initial);
  const a = useAction();
  const u = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async () => {
    const p: Problems = {};
    if (!v.pseudonym.trim()) p.pseudonym = 'forms.required';
    // An empty country clears it.
    const input = { pseudonym: v.pseudonym.trim(), role: v.role, country: v.country };
    const r = await a.run(UPDATE_DEFENDANT, { id: defendant.id, input }, p);
    if (!r) return;
    setOpen(false);
    setDone(t('defendant.updated', { name: input.pseudonym }));
    onDone();
  };
  return (
    <>
      <Done message={done} />
      <Disclosure label={t('defendant.edit')} open={open} onToggle={(o) => { setOpen(o); setDone(null); if (o) { setV(initial()); a.setError(null); } }}>
        <ActionForm label={`${t('defendant.edit')} — ${defendant.pseudonym}`} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('forms.save')}>
          <Field label={t('actions.pseudonym')} hint={t('actions.pseudonymHint')} name="pseudonym" required maxLength={80} value={v.pseudonym} onChange={u('pseudonym')} error={a.error} />
          <SelectField label={t('actions.defendantRole')} name="role" value={v.role} onChange={u('role')} error={a.error}
            options={DEFENDANT_ROLES.map((r) => ({ value: r, label: t(`enums.DefendantRole.${r}`) }))} />
          <CountryField label={t('actions.country')} name="country" value={v.country} onChange={(country) => setV({ ...v, country })} error={a.error} />
        </ActionForm>
      </Disclosure>
    </>
  );
}
