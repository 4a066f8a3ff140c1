// The proceedings of a dossier, in the order they happened, with the
// organisation's civil-party standing in each; and the jurists' forms:
// open, edit the court, close, advance to an allowed next stage, constitute
// civil party, record the court's decision and withdraw (désistement). The forms show only to
// roles with case:write (the API refuses anyway).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import {
  ADVANCE_PROCEEDING,
  CLOSE_PROCEEDING,
  CONSTITUTE_CIVIL_PARTY,
  DECIDE_STANDING,
  DOSSIER_CONSENTS,
  OPEN_PROCEEDING,
  ORGANISATION_STANDING,
  UPDATE_PROCEEDING,
  WITHDRAW_STANDING,
  type ProceedingRow,
  type StandingRow,
} from '../../api/queries';
import { Disclosure, Done, Field, SelectField, TextAreaField } from '../../components';
import { formatDate, parisDay, type Lang } from '../../lib/datetime';
import { orNull } from '../../lib/forms';
import {
  checkAdvance,
  checkClose,
  checkConstitute,
  checkDecide,
  checkOpen,
  checkUpdate,
  checkWithdraw,
  chronological,
  CONSENT_BASIS,
  courtKindsFor,
  DECISIONS,
  fittingCourt,
  formatEuros,
  LEGAL_BASES,
  nextStages,
  parseEuros,
  STAGES,
  standingActions,
  standingModesFor,
  basisArticle,
  type AdvanceValues,
  type ConstituteValues,
  type OpenValues,
} from '../../lib/proceedings';
import { useViewer } from '../../viewer';
import { useAction } from '../../api/useAction';
import { ActionForm } from './Actions';

type T = (k: string, o?: Record<string, unknown>) => string;
const today = () => parisDay(new Date());

/** "Jugement — Tribunal correctionnel, Tribunal judiciaire de Paris": how a proceeding is named in labels. */
export function proceedingName(p: { stage: string; courtKind: string; courtName: string }, t: T): string {
  return `${t(`enums.Stage.${p.stage}`)} — ${p.courtName || t(`enums.CourtKind.${p.courtKind}`)}`;
}

/**
 * canWrite: the proceedings themselves (the owning organisation's jurists);
 * canStand: the viewer's organisation's own civil-party standing, which a
 * co-civil party on a shared dossier records too.
 */
export function ProceedingsSection({ dossierId, proceedings, canWrite, canStand, dossierOpen, onDone }: {
  dossierId: string; proceedings: ProceedingRow[]; canWrite: boolean; canStand: boolean; dossierOpen: boolean; onDone: () => void;
}) {
  const { t } = useTranslation();
  const ordered = chronological(proceedings);
  return (
    <section aria-labelledby="s-proceedings">
      <h2 id="s-proceedings">{t('dossier.proceedings')}</h2>
      {ordered.length === 0 ? (
        <p>{t('dossier.noProceedings')}</p>
      ) : (
        <ol className="timeline proceedings" aria-label={t('proceeding.order')}>
          {ordered.map((p) => (
            <ProceedingItem key={p.id} p={p} all={proceedings} canWrite={canWrite} canStand={canStand} dossierOpen={dossierOpen} dossierId={dossierId} onDone={onDone} />
          ))}
        </ol>
      )}
      {canWrite && dossierOpen && <OpenProceedingForm dossierId={dossierId} onDone={onDone} />}
    </section>
  );
}

function ProceedingItem({ p, all, canWrite, canStand, dossierOpen, dossierId, onDone }: {
  p: ProceedingRow; all: ProceedingRow[]; canWrite: boolean; canStand: boolean; dossierOpen: boolean; dossierId: string; onDone: () => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const viewer = useViewer();
  const [done, setDone] = useState<string | null>(null);
  const finish = (m: string) => {
    setDone(m);
    onDone();
  };
  const e = (k: string, v: string) => t(`enums.${k}.${v}`, { defaultValue: v });
  const name = proceedingName(p, t);
  const previous = p.previous && all.find((x) => x.id === p.previous!.id);
  const ongoing = p.status === 'ONGOING';
  const mine = p.civilPartyStandings.find((s) => s.organisation.id === viewer?.organisation?.id);
  const writable = canWrite && dossierOpen;
  return (
    <li className={ongoing ? 'current' : undefined}>
      <h3 className="proceeding-title">
        {e('Stage', p.stage)} — {e('CourtKind', p.courtKind)}
      </h3>
      <p>
        {[p.courtName, p.chamber].filter(Boolean).join(', ')}
        {(p.courtName || p.chamber) && ' '}
        <span className="badge">{e('ProceedingStatus', p.status)}</span>
      </p>
      <p>
        {p.endedOn
          ? t('dossier.ended', { from: formatDate(p.startedOn, lang), to: formatDate(p.endedOn, lang) })
          : t('dossier.since', { date: formatDate(p.startedOn, lang) })}
        {p.docketNumber && <> · {t('dossier.docket', { docket: p.docketNumber })}</>}
      </p>
      {previous && <p>{t('proceeding.follows', { name: proceedingName(previous, t) })}</p>}
      {p.outcome && <p className="prewrap">{t('proceeding.outcomeShown', { outcome: p.outcome })}</p>}

      <h4>{t('standing.heading')}</h4>
      {p.civilPartyStandings.length === 0 ? (
        <p>{t('standing.none')}</p>
      ) : (
        <ul className="standings">
          {p.civilPartyStandings.map((s) => (
            <StandingItem key={s.id} s={s} mine={s.id === mine?.id} canWrite={canStand} proceeding={name} onDone={finish} />
          ))}
        </ul>
      )}

      <Done message={done} />
      {canStand && dossierOpen && ongoing && !mine && (standingModesFor(p.stage).length > 0
        ? <ConstituteForm dossierId={dossierId} proceedingId={p.id} stage={p.stage} proceeding={name} onDone={finish} />
        : <p className="hint">{t('standing.noneAtStage')}</p>)}
      {writable && (
        <div className="proceeding-actions">
          <UpdateProceedingForm p={p} name={name} onDone={finish} />
          {ongoing && !p.next && nextStages(p.stage).length > 0 && <AdvanceProceedingForm p={p} name={name} onDone={finish} />}
          {ongoing && <CloseProceedingForm p={p} name={name} onDone={finish} />}
        </div>
      )}
    </li>
  );
}

function StandingItem({ s, mine, canWrite, proceeding, onDone }: { s: StandingRow; mine: boolean; canWrite: boolean; proceeding: string; onDone: (m: string) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const can = standingActions(s, mine, canWrite);
  return (
    <li>
      <strong>{s.organisation.name}</strong>
      {mine && ` ${t('standing.ours')}`}
      <br />
      {t('standing.constituted', { date: formatDate(s.constitutedOn, lang), mode: t(`enums.StandingMode.${s.mode}`, { defaultValue: s.mode }), basis: basisArticle(s.legalBasis) })}
      <br />
      {t('standing.admissibility')} <span className="badge">{t(`enums.Admissibility.${s.admissibility}`, { defaultValue: s.admissibility })}</span>
      {s.admissibilityDecidedOn && ` ${t('standing.decidedOnShown', { date: formatDate(s.admissibilityDecidedOn, lang) })}`}
      {s.damagesClaimedCents != null && (
        <>
          <br />
          {t('standing.claimedShown', { amount: formatEuros(s.damagesClaimedCents, lang) })}
        </>
      )}
      {s.damagesAwardedCents != null && (
        <>
          <br />
          {t('standing.awardedShown', { amount: formatEuros(s.damagesAwardedCents, lang) })}
        </>
      )}
      {s.withdrawnOn && (
        <>
          <br />
          <span className="badge">{t('standing.withdrawnBadge')}</span> {t('standing.withdrawnShown', { date: formatDate(s.withdrawnOn, lang) })}
        </>
      )}
      {can.decide && <DecideStandingForm s={s} proceeding={proceeding} onDone={onDone} />}
      {can.withdraw && <WithdrawStandingForm s={s} proceeding={proceeding} onDone={onDone} />}
    </li>
  );
}

/** Stage, court kind (only those fitting the stage) and the court's details. */
function CourtFields<V extends OpenValues>({ v, set, stages, error }: { v: V; set: (v: V) => void; stages: readonly string[]; error: ReturnType<typeof useAction>['error'] }) {
  const { t } = useTranslation();
  const u = (k: keyof OpenValues) => (e: { target: { value: string } }) => set({ ...v, [k]: e.target.value });
  return (
    <>
      <SelectField label={t('proceeding.stage')} name="stage" required value={v.stage} error={error}
        onChange={(e) => set({ ...v, stage: e.target.value, courtKind: fittingCourt(e.target.value, v.courtKind) })}
        options={stages.map((s) => ({ value: s, label: t(`enums.Stage.${s}`) }))} />
      <SelectField label={t('proceeding.courtKind')} hint={t('proceeding.courtKindHint')} name="courtKind" required value={v.courtKind} onChange={u('courtKind')} error={error}
        options={courtKindsFor(v.stage).map((k) => ({ value: k, label: t(`enums.CourtKind.${k}`) }))} />
      <Field label={t('proceeding.courtName')} hint={t(`proceeding.courtNameHints.${v.courtKind}`, { defaultValue: t('proceeding.courtNameHint') })} name="courtName" maxLength={200} value={v.courtName} onChange={u('courtName')} error={error} />
      <Field label={t('proceeding.chamber')} name="chamber" maxLength={200} value={v.chamber} onChange={u('chamber')} error={error} />
      <Field label={t('proceeding.docketNumber')} name="docketNumber" maxLength={64} value={v.docketNumber} onChange={u('docketNumber')} error={error} />
    </>
  );
}

const courtInput = (v: OpenValues) => ({
  stage: v.stage,
  courtKind: v.courtKind,
  courtName: orNull(v.courtName),
  chamber: orNull(v.chamber),
  docketNumber: orNull(v.docketNumber),
  startedOn: v.startedOn,
});

const emptyOpen = (): OpenValues => ({ stage: 'PRELIMINARY_INQUIRY', courtKind: 'PARQUET', courtName: '', chamber: '', docketNumber: '', startedOn: today() });

export function OpenProceedingForm({ dossierId, onDone }: { dossierId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [v, setV] = useState<OpenValues>(emptyOpen);
  const a = useAction();
  const submit = async () => {
    const r = await a.run(OPEN_PROCEEDING, { input: { dossierId, ...courtInput(v) } }, checkOpen(v));
    if (!r) return;
    setDone(t('proceeding.opened', { stage: t(`enums.Stage.${v.stage}`) }));
    setV(emptyOpen());
    setOpen(false);
    onDone();
  };
  return (
    <>
      <Done message={done} />
      <Disclosure label={t('proceeding.open')} open={open} onToggle={(o) => { setOpen(o); setDone(null); }}>
        <ActionForm label={t('proceeding.open')} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('proceeding.openSubmit')}>
          <p className="hint">{t('proceeding.openIntro')}</p>
          <CourtFields v={v} set={setV} stages={STAGES} error={a.error} />
          <Field label={t('proceeding.startedOn')} name="startedOn" type="date" required value={v.startedOn} onChange={(e) => setV({ ...v, startedOn: e.target.value })} error={a.error} />
        </ActionForm>
      </Disclosure>
    </>
  );
}

function UpdateProceedingForm({ p, name, onDone }: { p: ProceedingRow; name: string; onDone: (m: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const initial = () => ({ courtName: p.courtName, chamber: p.chamber, docketNumber: p.docketNumber });
  const [v, setV] = useState(initial);
  const a = useAction();
  const u = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async () => {
    // Every field is sent as typed: emptying one clears it.
    const input = { courtName: v.courtName.trim(), chamber: v.chamber.trim(), docketNumber: v.docketNumber.trim() };
    const r = await a.run(UPDATE_PROCEEDING, { id: p.id, input }, checkUpdate(v));
    if (!r) return;
    setOpen(false);
    onDone(t('proceeding.updated'));
  };
  return (
    <Disclosure label={t('proceeding.edit')} open={open} onToggle={(o) => { setOpen(o); if (o) { setV(initial()); a.setError(null); } }}>
      <ActionForm label={`${t('proceeding.edit')} — ${name}`} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('forms.save')}>
        <Field label={t('proceeding.courtName')} hint={t(`proceeding.courtNameHints.${p.courtKind}`, { defaultValue: t('proceeding.courtNameHint') })} name="courtName" maxLength={200} value={v.courtName} onChange={u('courtName')} error={a.error} />
        <Field label={t('proceeding.chamber')} name="chamber" maxLength={200} value={v.chamber} onChange={u('chamber')} error={a.error} />
        <Field label={t('proceeding.docketNumber')} name="docketNumber" maxLength={64} value={v.docketNumber} onChange={u('docketNumber')} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}

function CloseProceedingForm({ p, name, onDone }: { p: ProceedingRow; name: string; onDone: (m: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [v, setV] = useState(() => ({ endedOn: today(), outcome: '' }));
  const a = useAction();
  const submit = async () => {
    const r = await a.run(CLOSE_PROCEEDING, { id: p.id, input: { endedOn: v.endedOn, outcome: v.outcome.trim() } }, checkClose(v, p.startedOn));
    if (!r) return;
    setOpen(false);
    onDone(t('proceeding.closed'));
  };
  return (
    <Disclosure label={t('proceeding.close')} open={open} onToggle={setOpen}>
      <ActionForm label={`${t('proceeding.close')} — ${name}`} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('proceeding.closeSubmit')}>
        <Field label={t('proceeding.endedOn')} name="endedOn" type="date" required value={v.endedOn} onChange={(e) => setV({ ...v, endedOn: e.target.value })} error={a.error} />
        <TextAreaField label={t('proceeding.outcome')} hint={t('proceeding.outcomeHint')} name="outcome" required rows={3} maxLength={4000} value={v.outcome}
          onChange={(e) => setV({ ...v, outcome: e.target.value })} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}

function AdvanceProceedingForm({ p, name, onDone }: { p: ProceedingRow; name: string; onDone: (m: string) => void }) {
  const { t } = useTranslation();
  const stages = nextStages(p.stage);
  const initial = (): AdvanceValues => ({
    endedOn: today(), outcome: '', stage: stages[0], courtKind: courtKindsFor(stages[0])[0], courtName: '', chamber: '', docketNumber: '', startedOn: today(),
  });
  const [open, setOpen] = useState(false);
  const [v, setV] = useState<AdvanceValues>(initial);
  const a = useAction();
  const submit = async () => {
    const input = { endedOn: v.endedOn, outcome: v.outcome.trim(), ...courtInput(v) };
    const r = await a.run(ADVANCE_PROCEEDING, { id: p.id, input }, checkAdvance(v, p));
    if (!r) return;
    setOpen(false);
    onDone(t('proceeding.advanced', { stage: t(`enums.Stage.${v.stage}`) }));
  };
  return (
    <Disclosure label={t('proceeding.advance')} open={open} onToggle={setOpen}>
      <ActionForm label={`${t('proceeding.advance')} — ${name}`} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('proceeding.advanceSubmit')}>
        <fieldset>
          <legend>{t('proceeding.currentStage', { stage: t(`enums.Stage.${p.stage}`) })}</legend>
          <Field label={t('proceeding.endedOn')} name="endedOn" type="date" required value={v.endedOn} onChange={(e) => setV({ ...v, endedOn: e.target.value })} error={a.error} />
          <TextAreaField label={t('proceeding.outcome')} hint={t('proceeding.outcomeHint')} name="outcome" required rows={3} maxLength={4000} value={v.outcome}
            onChange={(e) => setV({ ...v, outcome: e.target.value })} error={a.error} />
        </fieldset>
        <fieldset>
          <legend>{t('proceeding.nextStage')}</legend>
          <CourtFields v={v} set={setV} stages={stages} error={a.error} />
          <Field label={t('proceeding.nextStartedOn')} hint={t('proceeding.nextStartedOnHint')} name="startedOn" type="date" required value={v.startedOn}
            onChange={(e) => setV({ ...v, startedOn: e.target.value })} error={a.error} />
        </fieldset>
      </ActionForm>
    </Disclosure>
  );
}

function ConstituteForm({ dossierId, proceedingId, stage, proceeding, onDone }: { dossierId: string; proceedingId: string; stage: string; proceeding: string; onDone: (m: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <Disclosure label={t('standing.constitute')} open={open} onToggle={setOpen}>
      {/* Mounted only while open: the organisation's articles and the consents are read then. */}
      <ConstituteFields dossierId={dossierId} proceedingId={proceedingId} stage={stage} proceeding={proceeding} onDone={(m) => { setOpen(false); onDone(m); }} />
    </Disclosure>
  );
}

function ConstituteFields({ dossierId, proceedingId, stage, proceeding, onDone }: { dossierId: string; proceedingId: string; stage: string; proceeding: string; onDone: (m: string) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const orgId = useViewer()?.organisation?.id ?? '';
  const [{ data: org }] = useQuery({ query: ORGANISATION_STANDING, variables: { id: orgId }, pause: !orgId });
  const articles = org?.organisation?.standingArticles.length ? org.organisation.standingArticles : [...LEGAL_BASES];
  const modes = standingModesFor(stage);
  const [v, setV] = useState<ConstituteValues>(() => ({ constitutedOn: today(), mode: modes[0] ?? '', legalBasis: '', consentId: '', damagesClaimed: '' }));
  const basis = v.legalBasis || articles[0];
  const needsConsent = basis === CONSENT_BASIS;
  const [{ data: consents, fetching }] = useQuery({ query: DOSSIER_CONSENTS, variables: { id: dossierId }, pause: !needsConsent });
  const usable = (consents?.dossier?.victims ?? []).flatMap((vi) =>
    vi.consents.filter((c) => !c.withdrawnOn).map((c) => ({
      value: c.id,
      label: t('standing.consentOption', { name: vi.pseudonym, giver: t(`enums.ConsentGiver.${c.givenBy}`), date: formatDate(c.givenOn, lang) }) + (c.reference ? ` (${c.reference})` : ''),
    })),
  );
  const a = useAction();
  const u = (k: keyof ConstituteValues) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async () => {
    const values = { ...v, legalBasis: basis, consentId: needsConsent ? v.consentId : '' };
    const input = {
      proceedingId,
      constitutedOn: v.constitutedOn,
      mode: v.mode,
      legalBasis: basis,
      consentId: needsConsent ? orNull(v.consentId) : null,
      damagesClaimedCents: parseEuros(v.damagesClaimed) ?? null,
    };
    const r = await a.run(CONSTITUTE_CIVIL_PARTY, { input }, checkConstitute(values));
    if (r) onDone(t('standing.constitutedDone'));
  };
  return (
    <ActionForm label={`${t('standing.constitute')} — ${proceeding}`} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('standing.constituteSubmit')}>
      <Field label={t('standing.constitutedOn')} name="constitutedOn" type="date" required value={v.constitutedOn} onChange={u('constitutedOn')} error={a.error} />
      <SelectField label={t('standing.mode')} hint={t(`standing.modeHints.${stage}`, { defaultValue: '' }) || undefined} name="mode" required value={v.mode} onChange={u('mode')} error={a.error}
        options={modes.map((m) => ({ value: m, label: t(`enums.StandingMode.${m}`) }))} />
      <SelectField label={t('standing.legalBasis')} hint={t('standing.legalBasisHint')} name="legalBasis" required value={basis} onChange={u('legalBasis')} error={a.error}
        options={articles.map((b) => ({ value: b, label: t('standing.basisOption', { basis: basisArticle(b) }) }))} />
      {needsConsent && (
        <SelectField label={t('standing.consent')} hint={usable.length || fetching ? t('standing.consentHint') : t('standing.noConsent')} name="consentId" required
          value={v.consentId} onChange={u('consentId')} error={a.error}
          options={[{ value: '', label: t('forms.choose') }, ...usable]} />
      )}
      <Field label={t('standing.damagesClaimed')} hint={t('standing.amountHint')} name="damagesClaimed" apiField="damagesClaimedCents" inputMode="decimal"
        value={v.damagesClaimed} onChange={u('damagesClaimed')} error={a.error} />
    </ActionForm>
  );
}

function DecideStandingForm({ s, proceeding, onDone }: { s: StandingRow; proceeding: string; onDone: (m: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [v, setV] = useState(() => ({ admissibility: '', decidedOn: today(), damagesAwarded: '' }));
  const a = useAction();
  const u = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async () => {
    const input = { admissibility: v.admissibility, decidedOn: v.decidedOn, damagesAwardedCents: parseEuros(v.damagesAwarded) ?? null };
    const r = await a.run(DECIDE_STANDING, { id: s.id, input }, checkDecide(v, s.constitutedOn));
    if (!r) return;
    setOpen(false);
    onDone(t('standing.decided'));
  };
  return (
    <Disclosure label={t('standing.decide')} open={open} onToggle={setOpen}>
      <ActionForm label={`${t('standing.decide')} — ${proceeding}`} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('standing.decideSubmit')}>
        <SelectField label={t('standing.decision')} name="admissibility" required value={v.admissibility} onChange={u('admissibility')} error={a.error}
          options={[{ value: '', label: t('forms.choose') }, ...DECISIONS.map((d) => ({ value: d, label: t(`enums.Admissibility.${d}`) }))]} />
        <Field label={t('standing.decidedOn')} name="decidedOn" type="date" required value={v.decidedOn} onChange={u('decidedOn')} error={a.error} />
        <Field label={t('standing.damagesAwarded')} hint={t('standing.awardedHint')} name="damagesAwarded" apiField="damagesAwardedCents" inputMode="decimal"
          value={v.damagesAwarded} onChange={u('damagesAwarded')} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}

function WithdrawStandingForm({ s, proceeding, onDone }: { s: StandingRow; proceeding: string; onDone: (m: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [v, setV] = useState(() => ({ withdrawnOn: today() }));
  const a = useAction();
  const submit = async () => {
    const r = await a.run(WITHDRAW_STANDING, { id: s.id, input: { withdrawnOn: v.withdrawnOn } }, checkWithdraw(v, s.constitutedOn));
    if (!r) return;
    setOpen(false);
    onDone(t('standing.withdrawnDone'));
  };
  return (
    <Disclosure label={t('standing.withdraw')} open={open} onToggle={(o) => { setOpen(o); if (o) a.setError(null); }}>
      <ActionForm label={`${t('standing.withdraw')} — ${proceeding}`} onSubmit={() => void submit()} error={a.error} busy={a.busy} submitLabel={t('standing.withdrawSubmit')}>
        <p className="hint">{t('standing.withdrawIntro')}</p>
        <Field label={t('standing.withdrawnOn')} name="withdrawnOn" type="date" required value={v.withdrawnOn}
          onChange={(e) => setV({ withdrawnOn: e.target.value })} error={a.error} />
      </ActionForm>
    </Disclosure>
  );
}
