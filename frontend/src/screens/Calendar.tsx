// Hearings and open deadlines across the user's dossiers: month, week and
// list views, in Europe/Paris. Arrow keys move between days; Page Up/Down
// between periods.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError } from '../api/errors';
import { CALENDAR_DEADLINES, CALENDAR_HEARINGS, type CalendarDeadlinesData, type CalendarHearingsData } from '../api/queries';
import { ErrorSummary, Loading, PageHeading } from '../components';
import { addDays, formatDayLong, formatMonth, formatTime, monthBounds, parisDay, parisMidnight, weekdayNames, weekStart, type Lang } from '../lib/datetime';
import { deadlineName, mergeByDay, type DayItem } from '../lib/agenda';
import { can } from '../lib/roles';
import { Link } from '../lib/router';
import { useViewer } from '../viewer';

export type View = 'month' | 'week' | 'list';
type Hearing = CalendarHearingsData['hearings']['nodes'][number];
type Deadline = CalendarDeadlinesData['deadlines']['nodes'][number];

/** The days shown and the instants queried for a view around a day. */
export function calendarRange(view: View, day: string): { days: string[]; from: string; to: string } {
  let first: string;
  let end: string;
  if (view === 'week') {
    first = weekStart(day);
    end = addDays(first, 7);
  } else {
    const m = monthBounds(day);
    first = view === 'month' ? weekStart(m.first) : m.first;
    end = view === 'month' ? addDays(weekStart(addDays(m.next, -1)), 7) : m.next;
  }
  const days: string[] = [];
  for (let d = first; d < end; d = addDays(d, 1)) days.push(d);
  return { days, from: parisMidnight(first), to: parisMidnight(end) };
}

/** Hearings grouped by their day in Paris. */
export function byDay(hearings: { startsAt: string }[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  hearings.forEach((h, i) => {
    const k = parisDay(h.startsAt);
    m.set(k, [...(m.get(k) ?? []), i]);
  });
  return m;
}

export function Calendar() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const today = parisDay(new Date());
  const [view, setView] = useState<View>('month');
  const [day, setDay] = useState(today);
  const range = useMemo(() => calendarRange(view, day), [view, day]);
  const [{ data, fetching, error }] = useQuery({
    query: CALENDAR_HEARINGS,
    variables: { from: range.from, to: range.to },
    requestPolicy: 'cache-and-network',
  });
  // Deadlines are case data: asked for only by a role that may read it.
  const readsCases = can(useViewer()?.roles, 'case:read');
  const [dl] = useQuery({
    query: CALENDAR_DEADLINES,
    variables: { from: range.days[0], to: range.days[range.days.length - 1] },
    requestPolicy: 'cache-and-network',
    pause: !readsCases,
  });
  const hearings = useMemo(() => data?.hearings.nodes ?? [], [data]);
  const deadlines = useMemo(() => dl.data?.deadlines.nodes ?? [], [dl.data]);
  const groups = useMemo(() => mergeByDay(hearings, deadlines), [hearings, deadlines]);
  const gridRef = useRef<HTMLDivElement>(null);
  const [focusDay, setFocusDay] = useState(false);
  useEffect(() => {
    if (focusDay) gridRef.current?.querySelector<HTMLElement>(`[data-day="${day}"]`)?.focus();
  }, [day, focusDay, view]);

  const move = (n: number) => {
    if (view === 'week') setDay(addDays(day, 7 * n));
    else {
      const [y, m] = day.split('-').map(Number);
      setDay(new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 10));
    }
  };
  const onKey = (e: KeyboardEvent) => {
    const steps: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    if (e.key in steps) {
      e.preventDefault();
      setFocusDay(true);
      setDay(addDays(day, steps[e.key]));
    } else if (e.key === 'PageUp' || e.key === 'PageDown') {
      e.preventDefault();
      setFocusDay(true);
      move(e.key === 'PageUp' ? -1 : 1);
    } else if (e.key === 'Home') {
      e.preventDefault();
      setFocusDay(true);
      setDay(today);
    }
  };
  const title = view === 'week' ? t('calendar.weekOf', { date: formatDayLong(range.days[0], lang) }) : formatMonth(day, lang);
  const hearingLink = (h: Hearing) => (
    <Link to={{ name: 'dossier', id: h.dossier.id }} className={h.status === 'CANCELLED' ? 'cancelled' : undefined}>
      <time dateTime={h.startsAt}>{formatTime(h.startsAt, lang)}</time> {h.dossier.reference} — {t(`enums.HearingKind.${h.kind}`, { defaultValue: h.kind })}
      {h.courtRoom && `, ${h.courtRoom}`}
      {h.status !== 'SCHEDULED' && ` (${t(`enums.HearingStatus.${h.status}`)})`}
    </Link>
  );
  const deadlineLink = (d: Deadline) => (
    <Link to={{ name: 'dossier', id: d.dossier.id }} className="deadline" title={`${d.dossier.reference} — ${deadlineName(d)}`}>
      <span className="deadline-label">{t('calendar.deadline')}</span> {d.dossier.reference} — <span className="deadline-rule">{deadlineName(d)}</span>
    </Link>
  );
  const item = (it: DayItem) =>
    it.type === 'deadline' ? (
      <li key={`d-${deadlines[it.index].id}`} className="deadline-item">{deadlineLink(deadlines[it.index])}</li>
    ) : (
      <li key={hearings[it.index].id}>{hearingLink(hearings[it.index])}</li>
    );
  const dayCount = (list: DayItem[]) => {
    const nd = list.filter((it) => it.type === 'deadline').length;
    const h = t('calendar.count', { count: list.length - nd });
    return nd > 0 ? `${h}, ${t('calendar.deadlineCount', { count: nd })}` : h;
  };
  const names = weekdayNames(lang);
  const month = day.slice(0, 7);

  return (
    <section>
      <PageHeading title={t('titles.calendar')}>{t('calendar.heading')}</PageHeading>
      <p className="hint">{t('calendar.help')}</p>
      <div className="calendar-tools">
        <div role="group" aria-label={t('calendar.view')} className="segmented">
          {(['month', 'week', 'list'] as View[]).map((v) => (
            <button key={v} type="button" className="secondary" aria-pressed={view === v} onClick={() => setView(v)}>
              {t(`calendar.${v}`)}
            </button>
          ))}
        </div>
        <div className="segmented">
          <button type="button" className="secondary" onClick={() => move(-1)}>{t('calendar.previous')}</button>
          <button type="button" className="secondary" onClick={() => setDay(today)}>{t('calendar.today')}</button>
          <button type="button" className="secondary" onClick={() => move(1)}>{t('calendar.next')}</button>
        </div>
      </div>
      <h2 aria-live="polite">{title}</h2>
      {error && <ErrorSummary error={describeError(error, t)} />}
      {dl.error && <ErrorSummary error={describeError(dl.error, t)} />}
      {fetching && !data && <Loading />}
      {data?.hearings.pageInfo.hasNextPage && <p className="notice">{t('calendar.truncated')}</p>}
      {dl.data?.deadlines.pageInfo.hasNextPage && <p className="notice">{t('calendar.deadlinesTruncated')}</p>}
      {view === 'list' ? (
        groups.size === 0 ? (
          data && <p>{t('calendar.none')}</p>
        ) : (
          <ol className="calendar-list">
            {range.days.filter((d) => groups.has(d)).map((d) => (
              <li key={d}>
                <h3>{formatDayLong(d, lang)}</h3>
                <ul>
                  {groups.get(d)!.map(item)}
                </ul>
              </li>
            ))}
          </ol>
        )
      ) : (
        <div ref={gridRef} onKeyDown={onKey}>
          <table className={`calendar ${view}`}>
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>{names.map((n) => <th key={n} scope="col">{n}</th>)}</tr>
            </thead>
            <tbody>
              {Array.from({ length: range.days.length / 7 }, (_, w) => (
                <tr key={w}>
                  {range.days.slice(w * 7, w * 7 + 7).map((d) => {
                    const list = groups.get(d) ?? [];
                    const outside = view === 'month' && d.slice(0, 7) !== month;
                    return (
                      <td key={d} className={[outside && 'outside', d === today && 'today'].filter(Boolean).join(' ') || undefined}>
                        <div
                          className="day-label"
                          data-day={d}
                          tabIndex={d === day ? 0 : -1}
                          aria-current={d === today ? 'date' : undefined}
                          aria-label={`${formatDayLong(d, lang)}, ${dayCount(list)}`}
                          onFocus={() => setDay(d)}
                        >
                          {Number(d.slice(8))}
                        </div>
                        {list.length > 0 && (
                          <ul>
                            {list.map(item)}
                          </ul>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
