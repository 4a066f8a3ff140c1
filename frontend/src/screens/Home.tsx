import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError } from '../api/errors';
import { UPCOMING_HEARINGS } from '../api/queries';
import { ErrorSummary, Loading, PageHeading } from '../components';
import { formatDateTime, upcomingWindow, type Lang } from '../lib/datetime';
import { Link } from '../lib/router';

export function Home() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const vars = useMemo(() => upcomingWindow(new Date()), []);
  const [{ data, fetching, error }] = useQuery({ query: UPCOMING_HEARINGS, variables: vars, requestPolicy: 'cache-and-network' });
  const rows = data?.hearings.nodes ?? [];
  return (
    <section>
      <PageHeading title={t('titles.home')}>{t('home.heading')}</PageHeading>
      <p>{t('home.window')}</p>
      {error && <ErrorSummary error={describeError(error, t)} />}
      {fetching && !data && <Loading />}
      {data && rows.length === 0 && <p>{t('home.none')}</p>}
      {rows.length > 0 && (
        <table>
          <caption className="visually-hidden">{t('home.heading')}</caption>
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
