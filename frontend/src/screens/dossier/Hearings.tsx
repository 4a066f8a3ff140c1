// The dossier page's hearings: the next one first, then the other upcoming
// ones, then the past ones (newest first); each with its court and the
// proceeding it belongs to, its end time and who attends.
import { useTranslation } from 'react-i18next';
import type { DossierData, DossierHearingRow, ProceedingRow } from '../../api/queries';
import { formatDateTime, formatTime, type Lang } from '../../lib/datetime';
import { HearingActions, ScheduleHearingForm } from './Actions';
import { proceedingName } from './Proceedings';

type Dossier = NonNullable<DossierData['dossier']>;

/** Upcoming hearings (scheduled, not yet started) soonest first, and the rest newest first. */
export function splitHearings<H extends { status: string; startsAt: string }>(hearings: readonly H[], now: Date): { upcoming: H[]; past: H[] } {
  const at = (h: H) => new Date(h.startsAt).getTime();
  const upcoming = hearings.filter((h) => h.status === 'SCHEDULED' && at(h) >= now.getTime()).sort((a, b) => at(a) - at(b));
  const past = hearings.filter((h) => !upcoming.includes(h)).sort((a, b) => at(b) - at(a));
  return { upcoming, past };
}

export function HearingsSection({ dossier, canWrite, onDone }: { dossier: Dossier; canWrite: boolean; onDone: () => void }) {
  const { t } = useTranslation();
  const { upcoming, past } = splitHearings(dossier.hearings, new Date());
  return (
    <section aria-labelledby="s-hearings">
      <h2 id="s-hearings">{t('dossier.hearings')}</h2>
      {dossier.hearings.length === 0 && <p>{t('dossier.noHearings')}</p>}
      {upcoming.length > 0 && (
        <>
          <h3>{t('hearings.upcoming')}</h3>
          <ul className="hearings">
            {upcoming.map((h, i) => (
              <HearingItem key={h.id} h={h} next={i === 0} proceedings={dossier.proceedings} canWrite={canWrite} onDone={onDone} />
            ))}
          </ul>
        </>
      )}
      {past.length > 0 && (
        <>
          <h3>{t('hearings.past')}</h3>
          <ul className="hearings">
            {past.map((h) => (
              <HearingItem key={h.id} h={h} next={false} proceedings={dossier.proceedings} canWrite={canWrite} onDone={onDone} />
            ))}
          </ul>
        </>
      )}
      {canWrite && <ScheduleHearingForm dossier={dossier} onDone={onDone} />}
    </section>
  );
}

function HearingItem({ h, next, proceedings, canWrite, onDone }: {
  h: DossierHearingRow; next: boolean; proceedings: readonly ProceedingRow[]; canWrite: boolean; onDone: () => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const e = (k: string, v: string) => t(`enums.${k}.${v}`, { defaultValue: v });
  const proceeding = h.proceeding && proceedings.find((p) => p.id === h.proceeding!.id);
  return (
    <li>
      <p>
        {next && <span className="badge">{t('hearings.next')}</span>} <strong>{e('HearingKind', h.kind)}</strong> —{' '}
        <time dateTime={h.startsAt}>{formatDateTime(h.startsAt, lang)}</time>
        {h.endsAt && <> {t('hearings.until', { time: formatTime(h.endsAt, lang) })}</>}{' '}
        <span className="badge">{e('HearingStatus', h.status)}</span>
        {h.movedCount > 0 && <> ({t('dossier.movedCount', { count: h.movedCount })})</>}
      </p>
      <p>
        {proceeding ? proceedingName(proceeding, t) : t('hearings.noProceeding')}
        {h.courtRoom && <> · {h.courtRoom}</>}
      </p>
      {h.attendees.length > 0 && <p>{t('hearings.attendees', { list: h.attendees.join(', ') })}</p>}
      {h.status === 'CANCELLED' && h.cancelReason && <p className="prewrap">{t('dossier.cancelReason', { reason: h.cancelReason })}</p>}
      {h.outcomeNote && <p className="prewrap">{t('dossier.outcomeNote', { note: h.outcomeNote })}</p>}
      {canWrite && h.status === 'SCHEDULED' && <HearingActions hearing={h} canMove onDone={onDone} />}
    </li>
  );
}
