// Small accessible building blocks: every input has a visible label, hints
// and errors are tied to it with aria-describedby.
import { useEffect, useId, useRef, useState, type InputHTMLAttributes, type KeyboardEvent, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { problemFor, type DescribedError } from './api/errors';
import { countryName, countryOptions } from './lib/countries';
import type { Lang } from './lib/datetime';

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

/** A label, hint and field error around any control (select, textarea...). */
function useFieldParts(name: string, hint: string | undefined, error: DescribedError | null | undefined, apiField?: string) {
  const id = useId();
  const problem = problemFor(error, apiField ?? name);
  const described = [hint && `${id}-hint`, problem && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const parts = (
    <>
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
    </>
  );
  return { id, parts, control: { id, name, 'aria-invalid': problem ? true : undefined, 'aria-describedby': described } };
}

type SelectProps = {
  label: string;
  name: string;
  hint?: string;
  error?: DescribedError | null;
  apiField?: string;
  options: { value: string; label: string }[];
  /** Options in labelled groups (<optgroup>), after the plain options. */
  groups?: { label: string; options: { value: string; label: string }[] }[];
} & SelectHTMLAttributes<HTMLSelectElement>;

export function SelectField({ label, name, hint, error, apiField, options, groups, ...rest }: SelectProps) {
  const f = useFieldParts(name, hint, error, apiField);
  return (
    <div className="field">
      <label htmlFor={f.id}>{label}</label>
      {f.parts}
      <select {...f.control} {...rest}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
        {groups?.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

type TextAreaProps = { label: string; name: string; hint?: string; error?: DescribedError | null; apiField?: string } & TextareaHTMLAttributes<HTMLTextAreaElement>;

export function TextAreaField({ label, name, hint, error, apiField, ...rest }: TextAreaProps) {
  const f = useFieldParts(name, hint, error, apiField);
  return (
    <div className="field">
      <label htmlFor={f.id}>{label}</label>
      {f.parts}
      <textarea rows={4} {...f.control} {...rest} />
    </div>
  );
}

/** Checkboxes for a list value (themes, roles), with the field's error. */
export function CheckboxGroup<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
  error,
  apiField,
}: {
  legend: string;
  name: string;
  options: { value: T; label: string }[];
  value: T[];
  onChange: (v: T[]) => void;
  error?: DescribedError | null;
  apiField?: string;
}) {
  const id = useId();
  const problem = problemFor(error, apiField ?? name);
  return (
    <fieldset className="checks" aria-describedby={problem ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {problem && (
        <p className="field-error" id={`${id}-error`}>
          {problem.message}
        </p>
      )}
      {options.map((o) => (
        <label key={o.value} className="check">
          <input
            type="checkbox"
            name={name}
            value={o.value}
            checked={value.includes(o.value)}
            onChange={() => onChange(value.includes(o.value) ? value.filter((x) => x !== o.value) : [...value, o.value])}
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: focus moves into it, Tab stays inside, Escape closes it,
 * and focus returns to what opened it. Its content is unmounted on close,
 * so nothing it showed stays in memory.
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const d = ref.current;
    if (d && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
    const first = d?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? d)?.focus();
    return () => {
      opener?.focus?.();
    };
  }, []);
  const onKeyDown = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
      return;
    }
    if (e.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      aria-modal="true"
      onKeyDown={onKeyDown}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

/** A form section that opens on demand (a disclosure button). */
export function Disclosure({ label, children, open, onToggle }: { label: string; children: ReactNode; open: boolean; onToggle: (o: boolean) => void }) {
  const id = useId();
  return (
    <div className="disclosure">
      <button type="button" className="secondary" aria-expanded={open} aria-controls={id} onClick={() => onToggle(!open)}>
        {label}
      </button>
      <div id={id} hidden={!open}>
        {open && children}
      </div>
    </div>
  );
}

/** One country, chosen by name; the value is its ISO 3166-1 code ('' for none). */
export function CountryField({ label, name, hint, value, onChange, error }: {
  label: string; name: string; hint?: string; value: string; onChange: (code: string) => void; error?: DescribedError | null;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  return (
    <SelectField label={label} name={name} hint={hint} value={value} onChange={(e) => onChange(e.target.value)} error={error}
      options={[{ value: '', label: t('forms.noCountry') }, ...countryOptions(lang, [value])]} />
  );
}

/**
 * A list of countries (a dossier's): the chosen ones by name, each with a
 * remove button, and a list to add one more from. Values are ISO codes.
 */
export function CountriesField({ label, name, hint, value, onChange, error }: {
  label: string; name: string; hint?: string; value: string[]; onChange: (codes: string[]) => void; error?: DescribedError | null;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const id = useId();
  const [pick, setPick] = useState('');
  const problem = problemFor(error, name);
  const add = () => {
    if (pick && !value.includes(pick)) onChange([...value, pick]);
    setPick('');
  };
  const described = [hint && `${id}-hint`, problem && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className="checks countries" aria-describedby={described}>
      <legend>{label}</legend>
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
      {problem && <p className="field-error" id={`${id}-error`}>{problem.message}</p>}
      {value.length === 0 ? (
        <p className="hint">{t('forms.noCountries')}</p>
      ) : (
        <ul className="chosen" aria-label={t('forms.chosenCountries')}>
          {value.map((c) => (
            <li key={c}>
              {countryName(c, lang)}{' '}
              <button type="button" className="secondary small" onClick={() => onChange(value.filter((x) => x !== c))}>
                {t('forms.remove')}<span className="visually-hidden"> {countryName(c, lang)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="add-country">
        <SelectField label={t('forms.addCountry')} name={`${name}-add`} value={pick} onChange={(e) => setPick(e.target.value)}
          options={[{ value: '', label: t('forms.choose') }, ...countryOptions(lang).filter((o) => !value.includes(o.value))]} />
        <button type="button" className="secondary" disabled={!pick} onClick={add}>{t('forms.add')}</button>
      </div>
    </fieldset>
  );
}

/**
 * An identifier shown short ("3f2a9c1e…") with a button that copies it
 * whole: the full id is in data-id (and the clipboard), not read aloud.
 */
export function CopyId({ id, what }: { id: string; what: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(id);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <span className="copy-id">
      <code className="hash" data-id={id}>{id.length > 8 ? `${id.slice(0, 8)}…` : id}</code>{' '}
      <button type="button" className="secondary small" onClick={() => void copy()}>
        {t('app.copy')}<span className="visually-hidden"> {t('app.copyWhat', { what })}</span>
      </button>
      <span className="visually-hidden" role="status">{copied ? t('app.copied') : ''}</span>
      {copied && <span className="hint" aria-hidden="true"> {t('app.copied')}</span>}
    </span>
  );
}

/** A short success message, read out by screen readers. */
export function Done({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="notice" role="status">
      {message}
    </p>
  );
}
