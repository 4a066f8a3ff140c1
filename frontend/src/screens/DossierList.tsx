import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError } from '../api/errors';
import { DOSSIERS, DOSSIER_STATUSES, THEMES, type DossierFilter, type DossierStatus, type Theme } from '../api/queries';
import { ErrorSummary, Field, Loading, PageHeading } from '../components';
import { formatDate, formatDateTime, type Lang } from '../lib/datetime';
import { can } from '../lib/roles';
import { Link } from '../lib/router';
import { useViewer } from '../viewer';

export const PAGE_SIZE = 25;

/** The API filter of the form's values (empty values are left out). */
export function toFilter(text: string, status: DossierStatus | '', themes: Theme[]): DossierFilter | undefined {
  const f: DossierFilter = {};
  if (text.trim()) f.text = text.trim();
  if (status) f.status = status;
  if (themes.length) f.themes = themes;
  return Object.keys(f).length ? f : undefined;
}

// The filter and the page live in memory only: a search text may name
// someone, so it never goes into the URL or storage.
let remembered = { text: '', status: '' as DossierStatus | '', themes: [] as Theme[], cursors: [null] as (string | null)[] };

export function DossierList() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [text, setText] = useState(remembered.text);
  const [status, setStatus] = useState<DossierStatus | ''>(remembered.status);
  const [themes, setThemes] = useState<Theme[]>(remembered.themes);
  const [applied, setApplied] = useState(() => toFilter(remembered.text, remembered.status, remembered.themes));
  // cursors[i] is the `after` of page i+1.
  const [cursors, setCursors] = useState<(string | null)[]>(remembered.cursors);
  remembered = { text, status, themes, cursors };
  const page = cursors.length;

  const [{ data, fetching, error }] = useQuery({
    query: DOSSIERS,
    variables: { first: PAGE_SIZE, after: cursors[cursors.length - 1], filter: applied },
    requestPolicy: 'cache-and-network',
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied(toFilter(text, status, themes));
    setCursors([null]);
  };
  const reset = () => {
    setText('');
    setStatus('');
    setThemes([]);
    setApplied(undefined);
    setCursors([null]);
  };
  const toggleTheme = (th: Theme) => setThemes((cur) => (cur.includes(th) ? cur.filter((x) => x !== th) : [...cur, th]));

  const conn = data?.dossiers;
  const viewer = useViewer();
  return (
    <section>
      <PageHeading title={t('titles.dossiers')}>{t('dossiers.heading')}</PageHeading>
      {can(viewer?.roles, 'dossier:write') && (
        <p className="page-actions">
          <Link to={{ name: 'newDossier' }}>{t('dossiers.new')}</Link>
        </p>
      )}
      <form className="filters" onSubmit={submit} role="search">
        <Field label={t('dossiers.search')} name="text" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        <div className="field">
          <label htmlFor="dossier-status">{t('dossiers.status')}</label>
          <select id="dossier-status" name="status" value={status} onChange={(e) => setStatus(e.target.value as DossierStatus | '')}>
            <option value="">{t('dossiers.anyStatus')}</option>
            {DOSSIER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`enums.DossierStatus.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend>{t('dossiers.themes')}</legend>
          {THEMES.map((th) => (
            <label key={th} className="check">
              <input type="checkbox" name="themes" value={th} checked={themes.includes(th)} onChange={() => toggleTheme(th)} />
              {t(`enums.Theme.${th}`)}
            </label>
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit">{t('dossiers.apply')}</button>
          <button type="button" className="secondary" onClick={reset}>
            {t('dossiers.reset')}
          </button>
        </div>
      </form>

      {error && <ErrorSummary error={describeError(error, t)} />}
      {fetching && !data && <Loading />}
      {conn && (
        <>
          <p role="status">{t('dossiers.count', { count: conn.totalCount })}</p>
          {conn.nodes.length === 0 ? (
            <p>{t('dossiers.none')}</p>
          ) : (
            <table>
              <caption className="visually-hidden">{t('dossiers.page', { page })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('dossiers.reference')}</th>
                  <th scope="col">{t('dossiers.title')}</th>
                  <th scope="col">{t('dossiers.status')}</th>
                  <th scope="col">{t('dossiers.themes')}</th>
                  <th scope="col">{t('dossiers.opened')}</th>
                  <th scope="col">{t('dossiers.nextHearing')}</th>
                </tr>
              </thead>
              <tbody>
                {conn.nodes.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <Link to={{ name: 'dossier', id: d.id }}>{d.reference}</Link>
                    </td>
                    <td>{d.title}</td>
                    <td>{t(`enums.DossierStatus.${d.status}`)}</td>
                    <td>{d.themes.map((th) => t(`enums.Theme.${th}`)).join(', ')}</td>
                    <td>{formatDate(d.openedOn, lang)}</td>
                    <td>{d.nextHearing ? <time dateTime={d.nextHearing.startsAt}>{formatDateTime(d.nextHearing.startsAt, lang)}</time> : t('dossier.empty')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav className="pager" aria-label={t('dossiers.pageNav')}>
            <button type="button" className="secondary" disabled={page <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              {t('dossiers.previous')}
            </button>
            <span>{t('dossiers.page', { page })}</span>
            <button
              type="button"
              disabled={!conn.pageInfo.hasNextPage || fetching}
              onClick={() => conn.pageInfo.endCursor && setCursors((c) => [...c, conn.pageInfo.endCursor])}
            >
              {t('dossiers.next')}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

/** Forget the list's filter and page (at sign-out). */
export function forgetDossierList() {
  remembered = { text: '', status: '', themes: [], cursors: [null] };
}
