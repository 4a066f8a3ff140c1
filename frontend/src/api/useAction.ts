import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, type AnyVariables, type DocumentInput } from 'urql';
import { localError, type Problems } from '../lib/forms';
import { describeError, type DescribedError } from './errors';

/**
 * Runs one mutation of a form: the form's own checks first (problems), then
 * the API's errors described with their fields. run returns the result's
 * data, or null when anything refused it.
 */
export function useAction() {
  const client = useClient();
  const { t } = useTranslation();
  const [error, setError] = useState<DescribedError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async <D,>(doc: DocumentInput<D, AnyVariables>, vars: AnyVariables, problems: Problems = {}): Promise<D | null> => {
    const local = localError(problems, t);
    setError(local);
    if (local) return null;
    setBusy(true);
    const r = await client.mutation<D>(doc, vars).toPromise();
    setBusy(false);
    if (r.error || !r.data) {
      setError(describeError(r.error ?? {}, t));
      return null;
    }
    return r.data;
  };
  return { error, setError, busy, run };
}
