import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { describeError, errorCode } from '../api/errors';
import { DOSSIER, SET_DEFENDANT_IDENTITY, SET_VICTIM_IDENTITY, type ChargeRow } from '../api/queries';
import { ErrorSummary, Loading, PageHeading } from '../components';
import { countryName, countryNames } from '../lib/countries';
import { formatDate, type Lang } from '../lib/datetime';
import { can } from '../lib/roles';
import { Link } from '../lib/router';
import { useViewer } from '../viewer';
import { AdminDossier } from './admin/AdminDossier';
import {
  AddChargeForm,
  AddDefendantForm,
  AddVictimForm,
  CloseDossierForm,
  DefendantIdentityForm,
  ReopenDossierForm,
  RequalifyForm,
  RevealIdentity,
  UpdateDefendantForm,
  VictimIdentityForm,
} from './dossier/Actions';
import { VictimConsents } from './dossier/Consents';
import { EvidenceSection } from './dossier/Evidence';
import { DeadlinesSection } from './dossier/Deadlines';
import { HearingsSection } from './dossier/Hearings';
import { ProceedingsSection } from './dossier/Proceedings';

export function DossierPage({ id }: { id: string }) {
  const viewer = useViewer();
  // An administrator without a case role manages who works on the dossier but reads no case content.
  if (!can(viewer?.roles, 'case:read') && can(viewer?.roles, 'dossier:assign')) return <AdminDossier id={id} />;
  return <CaseDossierPage id={id} />;
}

function CaseDossierPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const viewer = useViewer();
  const roles = viewer?.roles;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: DOSSIER, variables: { id }, requestPolicy: 'cache-and-network' });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const writeCase = can(roles, 'case:write');
  // A closed dossier is read-only until it is reopened; on a dossier shared
  // with its organisation, a co-civil party records only its own standing.
  const open = data?.dossier?.status === 'OPEN';
  const owner = !!data?.dossier && data.dossier.organisation.id === viewer?.organisation?.id;
  const edit = writeCase && open && owner;
  // Identities stay with the organisation that owns the dossier.
  const reveal = can(roles, 'identity:read') && owner;
  const d = data?.dossier;
  const dash = t('dossier.empty');
  const e = (k: string, v: string) => t(`enums.${k}.${v}`, { defaultValue: v });

  const back = (
    <p>
      <Link to={{ name: 'dossiers' }}>{t('dossier.back')}</Link>
    </p>
  );
  if (fetching && !data) return <Loading />;
  if (!d) {
    const notFound = !error || errorCode(error) === 'NOT_FOUND';
    return (
      <section>
        <PageHeading title={t('titles.dossier')} />
        {notFound ? <p role="alert">{t('dossier.notFound')}</p> : <ErrorSummary error={describeError(error, t)} />}
        {back}
      </section>
    );
  }

  const chargeLine = (c: ChargeRow) => (
    <>
      <strong>{t('dossier.article', { article: c.article })}</strong> {c.articleHeading && <>— {c.articleHeading}</>}
      {c.wording && <p>{c.wording}</p>}
      <p>
        {e('Participation', c.participation)}. {t('dossier.retained', { authority: e('Authority', c.retainedBy), date: formatDate(c.retainedOn, lang) })}
      </p>
      {c.aggravatingCircumstances.length > 0 && <p>{t('dossier.aggravating', { list: c.aggravatingCircumstances.join(', ') })}</p>}
      {c.articleVersionDate && <p className="hint">{t('dossier.articleVersion', { date: formatDate(c.articleVersionDate, lang) })}</p>}
      {c.requalificationReason && <p>{t('dossier.reason', { reason: c.requalificationReason })}</p>}
    </>
  );

  return (
    <article>
      {back}
      {/* The document title stays generic: a dossier's title is neutral, but a page title ends up in history and bookmarks. */}
      <PageHeading title={t('titles.dossier')}>
        {d.reference} — {d.title}
      </PageHeading>
      {((can(roles, 'dossier:write') && open && owner) || can(roles, 'dossier:assign')) && (
        <p className="page-actions">
          {can(roles, 'dossier:write') && open && owner && <Link to={{ name: 'editDossier', id: d.id }}>{t('dossier.edit')}</Link>}
          {can(roles, 'dossier:assign') && <Link to={{ name: 'adminDossier', id: d.id }}>{t('admin.manageDossier')}</Link>}
        </p>
      )}

      <section aria-labelledby="s-details">
        <h2 id="s-details">{t('dossier.details')}</h2>
        <dl className="details">
          <dt>{t('dossier.status')}</dt>
          <dd>{e('DossierStatus', d.status)}</dd>
          <dt>{t('dossier.themes')}</dt>
          <dd>{d.themes.map((th) => e('Theme', th)).join(', ') || dash}</dd>
          <dt>{t('dossier.opened')}</dt>
          <dd>{formatDate(d.openedOn, lang)}</dd>
          {d.closedOn && (
            <>
              <dt>{t('dossier.closed')}</dt>
              <dd>
                {formatDate(d.closedOn, lang)}
                {d.closingReason && ` — ${d.closingReason}`}
              </dd>
            </>
          )}
          <dt>{t('dossier.parquet')}</dt>
          <dd>{d.parquetNumber || dash}</dd>
          <dt>{t('dossier.instruction')}</dt>
          <dd>{d.instructionNumber || dash}</dd>
          <dt>{t('dossier.platforms')}</dt>
          <dd>{d.platforms.join(', ') || dash}</dd>
          <dt>{t('dossier.countries')}</dt>
          <dd>{countryNames(d.countries, lang) || dash}</dd>
        </dl>
        {can(roles, 'dossier:write') && owner &&
          (d.status === 'OPEN' ? <CloseDossierForm dossierId={d.id} onDone={refresh} /> : <ReopenDossierForm dossierId={d.id} onDone={refresh} />)}
      </section>

      <section aria-labelledby="s-summary">
        <h2 id="s-summary">{t('dossier.summary')}</h2>
        <p className="prewrap">{d.summary || t('dossier.noSummary')}</p>
      </section>

      <section aria-labelledby="s-victims">
        <h2 id="s-victims">{t('dossier.victims')}</h2>
        {d.victims.length === 0 ? (
          <p>{t('dossier.noVictims')}</p>
        ) : (
          <ul>
            {d.victims.map((v) => (
              <li key={v.id}>
                {v.pseudonym}
                {v.ageAtFacts != null && `, ${t('dossier.age', { count: v.ageAtFacts })}`}
                {v.country && ` (${countryName(v.country, lang)})`}{' '}
                {reveal && v.hasIdentity && (
                  <RevealIdentity personId={v.id} pseudonym={v.pseudonym} correct={edit ? { mutation: SET_VICTIM_IDENTITY, onDone: refresh } : undefined} />
                )}
                {edit && !v.hasIdentity && <VictimIdentityForm victimId={v.id} pseudonym={v.pseudonym} onDone={refresh} />}
                {(writeCase || reveal) && <VictimConsents victimId={v.id} pseudonym={v.pseudonym} canWrite={edit} />}
              </li>
            ))}
          </ul>
        )}
        {edit && <AddVictimForm dossierId={d.id} onDone={refresh} />}
      </section>

      <section aria-labelledby="s-defendants">
        <h2 id="s-defendants">{t('dossier.defendants')}</h2>
        {d.defendants.length === 0 ? (
          <p>{t('dossier.noDefendants')}</p>
        ) : (
          <ul>
            {d.defendants.map((p) => (
              <li key={p.id}>
                {p.pseudonym} — {e('DefendantRole', p.role)}
                {p.country && ` (${countryName(p.country, lang)})`}{' '}
                {reveal && p.hasIdentity && (
                  <RevealIdentity personId={p.id} pseudonym={p.pseudonym} correct={edit ? { mutation: SET_DEFENDANT_IDENTITY, onDone: refresh } : undefined} />
                )}
                {edit && (
                  <>
                    <UpdateDefendantForm defendant={p} onDone={refresh} />
                    {!p.hasIdentity && <DefendantIdentityForm defendantId={p.id} pseudonym={p.pseudonym} onDone={refresh} />}
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
        {edit && <AddDefendantForm dossierId={d.id} onDone={refresh} />}
      </section>

      <section aria-labelledby="s-charges">
        <h2 id="s-charges">{t('dossier.charges')}</h2>
        {d.charges.length === 0 ? (
          <p>{t('dossier.noCharges')}</p>
        ) : (
          <ul className="charges">
            {d.charges.map((c) => (
              <li key={c.id}>
                {c.defendant && <p>{t('dossier.against', { name: c.defendant.pseudonym })}</p>}
                {chargeLine(c)}
                {c.history.length > 1 && (
                  <details>
                    <summary>{t('dossier.history')}</summary>
                    <ol className="timeline" aria-label={t('dossier.history')}>
                      {c.history.map((h) => (
                        <li key={h.id} className={h.current ? 'current' : undefined}>
                          <time dateTime={h.retainedOn} className="timeline-date">{formatDate(h.retainedOn, lang)}</time>
                          <span className="badge">{h.current ? t('dossier.currentCharge') : t('dossier.replaced')}</span> {chargeLine(h)}
                        </li>
                      ))}
                    </ol>
                  </details>
                )}
                {edit && c.current && <RequalifyForm charge={c} onDone={refresh} />}
              </li>
            ))}
          </ul>
        )}
        {edit && <AddChargeForm dossier={d} onDone={refresh} />}
      </section>

      <ProceedingsSection dossierId={d.id} proceedings={d.proceedings} canWrite={writeCase && owner} canStand={can(roles, 'standing:write')} dossierOpen={open} onDone={refresh} />

      <HearingsSection dossier={d} canWrite={can(roles, 'hearing:write') && open && owner} onDone={refresh} />

      <DeadlinesSection dossierId={d.id} proceedings={d.proceedings} canWrite={can(roles, 'hearing:write') && owner} dossierOpen={open} />

      {can(roles, 'evidence:read') && <EvidenceSection dossierId={d.id} canWrite={can(roles, 'evidence:write') && open && owner} />}
    </article>
  );
}
