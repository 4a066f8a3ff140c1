// The home page: what each role needs first. A panel is shown, and its query
// sent, only to roles that may read what it lists — a DPO's visit must not
// ask for hearings (an audited refusal each time).
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError } from '../api/errors';
import { AUDIT_EVENTS, UPCOMING_DEADLINES, UPCOMING_HEARINGS, USERS, type AuditFilter } from '../api/queries';
import { ErrorSummary, Loading, PageHeading } from '../components';
import { actionLabel } from '../lib/audit';
import { addDays, formatDateTime, formatDayLong, parisDay, upcomingWindow, type Lang } from '../lib/datetime';
import { deadlineName, dueSoon } from '../lib/agenda';
import { can } from '../lib/roles';
import { Link } from '../lib/router';
import { useViewer } from '../viewer';

export function Home() {
  const { t } = useTranslation();
  const viewer = useViewer();
  const roles = viewer?.roles;
  // A partner lawyer sees only the dossiers assigned to them: then, and
  // only then, these are "their" hearings and deadlines. Deadlines are for
  // those who meet them (jurists and partner lawyers), not for advocacy.
  const lawyer = !can(roles, 'case:write') && can(roles, 'hearing:write');
  const panels = [
    can(roles, 'case:read') && (
      <div key="case" className="home-columns">
        <UpcomingHearings lawyer={lawyer} />
        {can(roles, 'hearing:write') && <UpcomingDeadlines lawyer={lawyer} />}
      </div>
    ),
    can(roles, 'user:write') && !viewer?.superadmin && <Members key="members" />,
    can(roles, 'audit:read') && !viewer?.superadmin && <RecentAudit key="audit" />,
  ].filter(Boolean);
  return (
    <section>
      <PageHeading title={t('titles.home')}>{t('home.title', { name: viewer?.displayName ?? '' })}</PageHeading>
      {panels.length > 0 ? panels : <p>{t('home.nothing')}</p>}
    </section>
  );
}

function UpcomingHearings({ lawyer }: { lawyer: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const vars = useMemo(() => upcomingWindow(new Date()), []);
  const [{ data, fetching, error }] = useQuery({ query: UPCOMING_HEARINGS, variables: vars, requestPolicy: 'cache-and-network' });
  const rows = data?.hearings.nodes ?? [];
  const heading = lawyer ? t('home.myHearings') : t('home.heading');
  return (
    <section aria-labelledby="home-hearings">
      <h2 id="home-hearings">{heading}</h2>
      <p className="hint">{t('home.window')}</p>
      {error && <ErrorSummary error={describeError(error, t)} />}
      {fetching && !data && <Loading />}
      {data && rows.length === 0 && <p>{t('home.none')}</p>}
      {rows.length > 0 && (
        <table>
          <caption className="visually-hidden">{heading}</caption>
          <thead>
            <tr>
              <th scope="col">{t('home.when')}</th>
              <th scope="col">{t('home.dossier')}</th>
              <th scope="col">{t('home.kind')}</th>
              <th scope="col">{t('home.room')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((h) => (
              <tr key={h.id}>
                <td>
                  <time dateTime={h.startsAt}>{formatDateTime(h.startsAt, lang)}</time>
                </td>
                <td>
                  <Link to={{ name: 'dossier', id: h.dossier.id }}>
                    {h.dossier.reference} — {h.dossier.title}
                  </Link>
                </td>
                <td>{t(`enums.HearingKind.${h.kind}`, { defaultValue: h.kind })}</td>
                <td>{h.courtRoom || t('dossier.empty')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The open deadlines of the next 30 days, soonest first; a badge on those due within 3 days. */
function UpcomingDeadlines({ lawyer }: { lawyer: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const today = useMemo(() => parisDay(new Date()), []);
  const vars = useMemo(() => ({ from: today, to: addDays(today, 30) }), [today]);
  const [{ data, fetching, error }] = useQuery({ query: UPCOMING_DEADLINES, variables: vars, requestPolicy: 'cache-and-network' });
  const rows = data?.deadlines.nodes ?? [];
  const heading = lawyer ? t('home.myDeadlines') : t('home.deadlines');
  return (
    <section aria-labelledby="home-deadlines">
      <h2 id="home-deadlines">{heading}</h2>
      <p className="hint">{t('home.deadlinesWindow')}</p>
      {error && <ErrorSummary error={describeError(error, t)} />}
      {fetching && !data && <Loading />}
      {data && rows.length === 0 && <p>{t('home.noDeadlines')}</p>}
      {rows.length > 0 && (
        <table>
          <caption className="visually-hidden">{heading}</caption>
          <thead>
            <tr>
              <th scope="col">{t('home.due')}</th>
              <th scope="col">{t('home.dossier')}</th>
              <th scope="col">{t('home.rule')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id}>
                <td>
                  <time dateTime={d.dueOn}>{formatDayLong(d.dueOn, lang)}</time>
                  {dueSoon(d.dueOn, today) && (
                    <>
                      {' '}
                      <span className="badge urgent">{t('home.dueSoon')}</span>
                    </>
                  )}
                </td>
                <td>
                  <Link to={{ name: 'dossier', id: d.dossier.id }}>
                    {d.dossier.reference} — {d.dossier.title}
                  </Link>
                </td>
                <td>{deadlineName(d)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data?.deadlines.pageInfo.hasNextPage && <p className="notice">{t('home.deadlinesTruncated')}</p>}
    </section>
  );
}

/** The administrator's view of the members: who still has to finish signing up, who is disabled. */
function Members() {
  const { t } = useTranslation();
  const [{ data, fetching, error }] = useQuery({ query: USERS, variables: { first: 100 }, requestPolicy: 'cache-and-network' });
  const users = data?.users.nodes ?? [];
  const pending = users.filter((u) => !u.disabled && (!u.totpEnrolled || u.mustChangePassword));
  const active = users.filter((u) => !u.disabled).length;
  return (
    <section aria-labelledby="home-members">
      <h2 id="home-members">{t('home.members')}</h2>
      {error && <ErrorSummary error={describeError(error, t)} />}
      {fetching && !data && <Loading />}
      {data && (
        <>
          <p>
            {t('home.membersCount', { count: active })}
            {users.length > active && <> {t('home.disabledCount', { count: users.length - active })}</>}
          </p>
          <h3>{t('home.pending')}</h3>
          {pending.length === 0 ? (
            <p>{t('home.noPending')}</p>
          ) : (
            <ul>
              {pending.map((u) => (
                <li key={u.id}>
                  <Link to={{ name: 'adminUser', id: u.id }}>{u.displayName}</Link>{' '}
                  <span className="hint">{u.mustChangePassword ? t('home.mustChangePassword') : t('home.notEnrolled')}</span>
                </li>
              ))}
            </ul>
          )}
          <p>
            <Link to={{ name: 'admin' }}>{t('home.manageMembers')}</Link>
          </p>
        </>
      )}
    </section>
  );
}

const DPO_PANELS: { id: string; filter: AuditFilter }[] = [
  { id: 'reveals', filter: { action: 'victim.identity.reveal' } },
  { id: 'denied', filter: { outcome: 'DENIED' } },
  { id: 'erasures', filter: { action: 'dossier.erase' } },
];

/** The data-protection officer's watch list: the latest identity reveals, refusals and erasures. */
function RecentAudit() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="home-audit">
      <h2 id="home-audit">{t('home.audit')}</h2>
      {DPO_PANELS.map((p) => (
        <RecentEvents key={p.id} id={p.id} filter={p.filter} />
      ))}
      <p>
        <Link to={{ name: 'audit' }}>{t('home.openAudit')}</Link>
      </p>
    </section>
  );
}

function RecentEvents({ id, filter }: { id: string; filter: AuditFilter }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [{ data, fetching, error }] = useQuery({ query: AUDIT_EVENTS, variables: { filter, first: 5 }, requestPolicy: 'network-only' });
  const rows = data?.auditEvents.nodes ?? [];
  const heading = t(`home.dpo.${id}`);
  return (
    <div>
      <h3>{heading}</h3>
      {error && <ErrorSummary error={describeError(error, t)} />}
      {fetching && !data && <Loading />}
      {data && rows.length === 0 && <p>{t('home.dpo.none')}</p>}
      {rows.length > 0 && (
        <table>
          <caption className="visually-hidden">{heading}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.who')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id}>
                <td>
                  <time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt, lang)}</time>
                </td>
                <td>{e.actorName ?? (e.actorId ? t('audit.unknownActor') : t('audit.system'))}</td>
                <td>{actionLabel(e.action, lang)}</td>
                <td className="prewrap">{e.reason || t('dossier.empty')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
