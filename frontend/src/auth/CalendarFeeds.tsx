// "Calendrier dans votre agenda" (Mon compte): subscription links to a
// read-only iCalendar feed of one's hearings and open deadlines. The URL
// carries a secret: the server returns it once, when the link is created;
// it lives only in this component's state until dismissed.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError } from '../api/errors';
import { CALENDAR_FEEDS, CREATE_CALENDAR_FEED, REVOKE_CALENDAR_FEED } from '../api/queries';
import { useAction } from '../api/useAction';
import { Done, ErrorSummary, Loading } from '../components';
import { formatDateTime, type Lang } from '../lib/datetime';

/** The most links a user may hold at once (calfeed.MaxFeeds). */
export const MAX_FEEDS = 5;

/** An absolute URL: without EGIDE_PUBLIC_URL the server returns a path. */
export function absoluteFeedURL(url: string, origin: string): string {
  return url.startsWith('/') ? origin + url : url;
}

export function CalendarFeeds() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: CALENDAR_FEEDS, requestPolicy: 'network-only' });
  const a = useAction();
  const [url, setUrl] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const rows = data?.calendarFeeds ?? [];

  const create = async () => {
    setDone(null);
    setCopied(false);
    const r = await a.run(CREATE_CALENDAR_FEED, {});
    if (!r) return;
    setUrl(absoluteFeedURL(r.createCalendarFeed.url, window.location.origin));
    reexecute({ requestPolicy: 'network-only' });
  };
  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const revoke = async (id: string) => {
    if (!window.confirm(t('calendarFeed.confirmRevoke'))) return;
    setDone(null);
    const r = await a.run(REVOKE_CALENDAR_FEED, { id });
    if (!r) return;
    setDone(t('calendarFeed.revoked'));
    reexecute({ requestPolicy: 'network-only' });
  };

  return (
    <section aria-labelledby="calendar-feed-heading">
      <h2 id="calendar-feed-heading">{t('calendarFeed.heading')}</h2>
      <p>{t('calendarFeed.intro')}</p>
      <p>{t('calendarFeed.contents')}</p>
      <p className="warning">{t('calendarFeed.warning')}</p>
      {error && <ErrorSummary error={describeError(error, t)} />}
      <ErrorSummary error={a.error} />
      <Done message={done} />
      {url ? (
        <div className="card">
          <p role="status">{t('calendarFeed.created')}</p>
          <label htmlFor="calendar-feed-url">{t('calendarFeed.urlLabel')}</label>
          <div className="actions">
            <input id="calendar-feed-url" className="feed-url" type="text" readOnly value={url}
              onFocus={(e) => e.currentTarget.select()} spellCheck={false} autoComplete="off" />
            <button type="button" onClick={() => void copy()}>{t('calendarFeed.copy')}</button>
          </div>
          <span role="status" className="hint">{copied ? t('calendarFeed.copied') : ''}</span>
          <p className="hint">{t('calendarFeed.howTo')}</p>
          <button type="button" className="secondary" onClick={() => { setUrl(null); setCopied(false); }}>{t('calendarFeed.done')}</button>
        </div>
      ) : rows.length >= MAX_FEEDS ? (
        <p className="hint">{t('calendarFeed.limit')}</p>
      ) : (
        <div className="actions">
          <button type="button" disabled={a.busy || fetching} onClick={() => void create()}>{t('calendarFeed.create')}</button>
        </div>
      )}
      <h3>{t('calendarFeed.listHeading')}</h3>
      {fetching && !data && <Loading />}
      {data && rows.length === 0 && <p>{t('calendarFeed.none')}</p>}
      {rows.length > 0 && (
        <table>
          <caption className="visually-hidden">{t('calendarFeed.listHeading')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('calendarFeed.createdAt')}</th>
              <th scope="col">{t('calendarFeed.lastUsed')}</th>
              <th scope="col">{t('calendarFeed.action')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.id}>
                <td><time dateTime={f.createdAt}>{formatDateTime(f.createdAt, lang)}</time></td>
                <td>{f.lastUsedAt ? <time dateTime={f.lastUsedAt}>{formatDateTime(f.lastUsedAt, lang)}</time> : t('calendarFeed.never')}</td>
                <td>
                  <button type="button" className="danger small" disabled={a.busy} onClick={() => void revoke(f.id)}>
                    {t('calendarFeed.revoke')}
                    <span className="visually-hidden"> — {formatDateTime(f.createdAt, lang)}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
