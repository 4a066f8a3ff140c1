import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { describeError, errorCode, type DescribedError } from '../api/errors';
import {
  CREATE_DOSSIER,
  DOSSIER_FIELDS,
  THEMES,
  UPDATE_DOSSIER,
  type CreateDossierData,
  type Theme,
} from '../api/queries';
import { CheckboxGroup, CountriesField, ErrorSummary, Field, Loading, PageHeading, TextAreaField } from '../components';
import { checkDossier, localError, orNull, splitList } from '../lib/forms';
import { can } from '../lib/roles';
import { Link, navigate, routePath } from '../lib/router';
import { useViewer } from '../viewer';

interface Values {
  reference: string;
  title: string;
  summary: string;
  themes: Theme[];
  openedOn: string;
  parquetNumber: string;
  instructionNumber: string;
  platforms: string;
  /** ISO 3166-1 codes, chosen by name. */
  countries: string[];
  retentionUntil: string;
}

const EMPTY: Values = {
  reference: '',
  title: '',
  summary: '',
  themes: [],
  openedOn: '',
  parquetNumber: '',
  instructionNumber: '',
  platforms: '',
  countries: [],
  retentionUntil: '',
};

/** The API input of the form's values. */
export function dossierInput(v: Values) {
  return {
    reference: v.reference.trim(),
    title: v.title.trim(),
    summary: v.summary.trim(),
    themes: v.themes,
    openedOn: orNull(v.openedOn),
    parquetNumber: v.parquetNumber.trim(),
    instructionNumber: v.instructionNumber.trim(),
    platforms: splitList(v.platforms),
    countries: v.countries,
    retentionUntil: orNull(v.retentionUntil),
  };
}

/** Create a dossier (no id) or edit one (legal staff). */
export function DossierForm({ id }: { id?: string }) {
  const { t } = useTranslation();
  const viewer = useViewer();
  const editing = !!id;
  const [{ data, fetching, error: loadError }] = useQuery({
    query: DOSSIER_FIELDS,
    variables: { id: id ?? '' },
    pause: !editing,
    requestPolicy: 'network-only',
  });
  const [values, setValues] = useState<Values>(EMPTY);
  const [loaded, setLoaded] = useState(!editing);
  const [error, setError] = useState<DescribedError | null>(null);
  const [busy, setBusy] = useState(false);
  const [, create] = useMutation(CREATE_DOSSIER);
  const [, update] = useMutation(UPDATE_DOSSIER);

  useEffect(() => {
    const d = data?.dossier;
    if (!editing || !d || loaded) return;
    setValues({
      reference: d.reference,
      title: d.title,
      summary: d.summary,
      themes: d.themes,
      openedOn: d.openedOn ?? '',
      parquetNumber: d.parquetNumber,
      instructionNumber: d.instructionNumber,
      platforms: d.platforms.join(', '),
      countries: d.countries,
      retentionUntil: d.retentionUntil ?? '',
    });
    setLoaded(true);
  }, [data, editing, loaded]);

  const title = editing ? t('dossierForm.editHeading') : t('dossierForm.newHeading');
  if (!can(viewer?.roles, 'dossier:write')) {
    return (
      <section>
        <PageHeading title={title} />
        <p role="alert">{t('errors.FORBIDDEN')}</p>
      </section>
    );
  }
  if (editing && fetching && !data) return <Loading />;
  if (editing && !data?.dossier) {
    return (
      <section>
        <PageHeading title={title} />
        {!loadError || errorCode(loadError) === 'NOT_FOUND' ? <p role="alert">{t('dossier.notFound')}</p> : <ErrorSummary error={describeError(loadError, t)} />}
      </section>
    );
  }

  const set = <K extends keyof Values>(k: K) => (v: Values[K]) => setValues((cur) => ({ ...cur, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local = localError(checkDossier(values), t);
    setError(local);
    if (local) return;
    setBusy(true);
    const input = dossierInput(values);
    const r = editing ? await update({ id, input }) : await create({ input });
    setBusy(false);
    if (r.error) {
      setError(describeError(r.error, t));
      return;
    }
    const newId = editing ? id! : (r.data as CreateDossierData).createDossier.id;
    navigate(routePath({ name: 'dossier', id: newId }));
  };

  return (
    <section>
      <p>
        {editing ? <Link to={{ name: 'dossier', id: id! }}>{t('dossierForm.backToDossier')}</Link> : <Link to={{ name: 'dossiers' }}>{t('dossier.back')}</Link>}
      </p>
      <PageHeading title={title} />
      <ErrorSummary error={error} />
      <form onSubmit={submit} noValidate className="form">
        <Field label={t('dossierForm.reference')} name="reference" required maxLength={64} value={values.reference} onChange={(e) => set('reference')(e.target.value)} error={error} />
        <Field
          label={t('dossierForm.title')}
          hint={t('dossierForm.titleHint')}
          name="title"
          required
          maxLength={300}
          value={values.title}
          onChange={(e) => set('title')(e.target.value)}
          error={error}
        />
        <TextAreaField label={t('dossierForm.summary')} hint={t('dossierForm.summaryHint')} name="summary" value={values.summary} onChange={(e) => set('summary')(e.target.value)} error={error} />
        <CheckboxGroup
          legend={t('dossierForm.themes')}
          name="themes"
          options={THEMES.map((th) => ({ value: th, label: t(`enums.Theme.${th}`) }))}
          value={values.themes}
          onChange={set('themes')}
          error={error}
        />
        <Field label={t('dossierForm.openedOn')} hint={t('dossierForm.openedOnHint')} name="openedOn" type="date" value={values.openedOn} onChange={(e) => set('openedOn')(e.target.value)} error={error} />
        <Field label={t('dossier.parquet')} name="parquetNumber" value={values.parquetNumber} onChange={(e) => set('parquetNumber')(e.target.value)} error={error} />
        <Field label={t('dossier.instruction')} name="instructionNumber" value={values.instructionNumber} onChange={(e) => set('instructionNumber')(e.target.value)} error={error} />
        <Field label={t('dossier.platforms')} hint={t('dossierForm.listHint')} name="platforms" value={values.platforms} onChange={(e) => set('platforms')(e.target.value)} error={error} />
        <CountriesField label={t('dossier.countries')} hint={t('dossierForm.countriesHint')} name="countries" value={values.countries} onChange={set('countries')} error={error} />
        <Field label={t('dossierForm.retentionUntil')} name="retentionUntil" type="date" value={values.retentionUntil} onChange={(e) => set('retentionUntil')(e.target.value)} error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? t('forms.saving') : editing ? t('forms.save') : t('dossierForm.create')}
          </button>
        </div>
      </form>
    </section>
  );
}
