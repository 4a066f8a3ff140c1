// Small accessible building blocks: every input has a visible label, hints
// and errors are tied to it with aria-describedby.
import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { problemFor, type DescribedError } from './api/errors';

export function ErrorSummary({ error }: { error: DescribedError | null | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="error-summary" role="alert">
      <p>{error.message}</p>
      {error.fields.length > 0 && (
        <>
          <p>{t('errors.fieldsHeading')}</p>
          <ul>
            {error.fields.map((f, i) => (
              <li key={i}>{t('errors.fieldLine', { field: f.label, message: f.message })}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

type FieldProps = {
  label: string;
  name: string;
  hint?: string;
  error?: DescribedError | null;
  /** The API's name for this input, when it differs from name. */
  apiField?: string;
} & InputHTMLAttributes<HTMLInputElement>;

export function Field({ label, name, hint, error, apiField, ...input }: FieldProps) {
  const id = useId();
  const problem = problemFor(error, apiField ?? name);
  const described = [hint && `${id}-hint`, problem && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {problem && (
        <p className="field-error" id={`${id}-error`}>
          {problem.message}
        </p>
      )}
      <input id={id} name={name} aria-invalid={problem ? true : undefined} aria-describedby={described} {...input} />
    </div>
  );
}

/** The page's heading: sets the document title (never personal data) and takes focus when the page changes. */
export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} — ${t('app.name')}`;
  }, [title, t]);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t('app.loading')}
    </p>
  );
}
