// Evidence of a dossier: documents stored encrypted (upload with progress,
// download) and references to illicit content, which is never stored.
import { useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, useQuery } from 'urql';
import { describeError, type DescribedError } from '../../api/errors';
import { useAction } from '../../api/useAction';
import {
  ADD_CONTENT_REFERENCE,
  CREATE_EVIDENCE,
  DOSSIER_EVIDENCE,
  EVIDENCE_KINDS,
  RECORD_CONTENT_REPORT,
  REPORT_CHANNELS,
  type ContentReferenceRow,
  type CreateEvidenceData,
  type EvidenceRow,
} from '../../api/queries';
import { Disclosure, Done, ErrorSummary, Field, SelectField, TextAreaField } from '../../components';
import { formatDate, formatDateTime, parisDay, type Lang } from '../../lib/datetime';
import { checkFileSize, downloadFile, formatSize, IdempotencyKeys, MAX_UPLOAD_BYTES, uploadFile, uploadSignature, type TransferResult } from '../../lib/files';
import { localError, orNull, type Problems } from '../../lib/forms';

export function EvidenceSection({ dossierId, canWrite }: { dossierId: string; canWrite: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: DOSSIER_EVIDENCE, variables: { id: dossierId }, requestPolicy: 'cache-and-network' });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const d = data?.dossier;
  return (
    <>
      <section aria-labelledby="s-evidence">
        <h2 id="s-evidence">{t('evidence.heading')}</h2>
        {error && <ErrorSummary error={describeError(error, t)} />}
        {fetching && !data && <p role="status">{t('app.loading')}</p>}
        {d && (d.evidence.length === 0 ? <p>{t('evidence.none')}</p> : <EvidenceTable rows={d.evidence} lang={lang} />)}
        {canWrite && <UploadForm dossierId={dossierId} onDone={refresh} />}
      </section>
      <section aria-labelledby="s-references">
        <h2 id="s-references">{t('references.heading')}</h2>
        <p className="notice">{t('references.explanation')}</p>
        {d && (d.contentReferences.length === 0 ? <p>{t('references.none')}</p> : (
          <ul className="references">
            {d.contentReferences.map((r) => (
              <ContentReferenceItem key={r.id} r={r} lang={lang} canWrite={canWrite} onDone={refresh} />
            ))}
          </ul>
        ))}
        {canWrite && <ContentReferenceForm dossierId={dossierId} onDone={refresh} />}
      </section>
    </>
  );
}

/** A transfer's failure in plain words. */
function transferMessage(r: Extract<TransferResult, { ok: false }>, t: (k: string, o?: Record<string, unknown>) => string, lang: Lang): string {
  if (r.status === 413) return t('evidence.tooLargeServer', { max: formatSize(MAX_UPLOAD_BYTES, lang) });
  if (r.status === 0) return t('errors.network');
  if (r.status === -1) return t('evidence.aborted');
  if (r.code && ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT', 'INTERNAL', 'UNAUTHENTICATED'].includes(r.code)) return t(`errors.${r.code}`);
  if (r.code === 'INVALID') return r.message && /too large|at most/i.test(r.message) ? t('evidence.tooLargeServer', { max: formatSize(MAX_UPLOAD_BYTES, lang) }) : t('evidence.invalidFile');
  return t('errors.unknown');
}

function EvidenceTable({ rows, lang }: { rows: EvidenceRow[]; lang: Lang }) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const download = async (e: EvidenceRow) => {
    if (!e.downloadPath) return;
    setProblem(null);
    setBusy(e.id);
    const r = await downloadFile(e.downloadPath, e.fileName || e.title);
    setBusy(null);
    if (!r.ok) setProblem(transferMessage(r, t, lang));
  };
  return (
    <>
      {problem && <p className="error-summary" role="alert">{problem}</p>}
      <table>
        <caption className="visually-hidden">{t('evidence.heading')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('evidence.title')}</th>
            <th scope="col">{t('evidence.kind')}</th>
            <th scope="col">{t('evidence.status')}</th>
            <th scope="col">{t('evidence.size')}</th>
            <th scope="col">{t('evidence.sha256')}</th>
            <th scope="col"><span className="visually-hidden">{t('evidence.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <td>
                {e.title}
                {e.documentDate && <div className="hint">{formatDate(e.documentDate, lang)}</div>}
                {e.fileName && <div className="hint">{e.fileName}</div>}
              </td>
              <td>{t(`enums.EvidenceKind.${e.kind}`, { defaultValue: e.kind })}</td>
              <td>
                {t(`enums.EvidenceStatus.${e.status}`, { defaultValue: e.status })}
                {e.storedAt && <div className="hint"><time dateTime={e.storedAt}>{formatDateTime(e.storedAt, lang)}</time></div>}
              </td>
              <td>{e.size != null ? formatSize(e.size, lang) : t('dossier.empty')}</td>
              <td>{e.sha256 ? <code className="hash">{e.sha256}</code> : t('dossier.empty')}</td>
              <td>
                {e.downloadPath && e.status === 'STORED' && (
                  <button type="button" className="secondary small" disabled={busy === e.id} onClick={() => void download(e)}>
                    {busy === e.id ? t('evidence.downloading') : t('evidence.download')}
                    <span className="visually-hidden"> — {e.title}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function UploadForm({ dossierId, onDone }: { dossierId: string; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const client = useClient();
  const keys = useRef(new IdempotencyKeys());
  const input = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<string>('COMPLAINT');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [documentDate, setDocumentDate] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<DescribedError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  const choose = (f: File | null | undefined) => {
    setError(null);
    setDone(null);
    if (!f) return;
    const p = checkFileSize(f.size);
    if (p) {
      setFile(null);
      setError(localError({ file: p === 'tooLarge' ? 'evidence.tooLarge' : 'evidence.empty' }, (k: string) => t(k, { max: formatSize(MAX_UPLOAD_BYTES, lang), size: formatSize(f.size, lang) })));
      if (input.current) input.current.value = '';
      return;
    }
    setFile(f);
    if (!title.trim()) setTitle(f.name.replace(/\.[^.]+$/, ''));
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    choose(e.dataTransfer.files?.[0]);
  };

  const submit = async () => {
    const p: Problems = {};
    if (!file) p.file = 'evidence.chooseFile';
    if (!title.trim()) p.title = 'forms.required';
    const local = localError(p, t);
    setError(local);
    if (local || !file) return;
    const fields = { kind, title: title.trim(), description: description.trim(), documentDate };
    // Same file and details retried: same key, so the server returns the record already created.
    const idempotencyKey = keys.current.for(uploadSignature(file, fields));
    setProgress(0);
    const r = await client
      .mutation<CreateEvidenceData>(CREATE_EVIDENCE, {
        input: { dossierId, kind, title: fields.title, description: orNull(fields.description), documentDate: orNull(documentDate), fileName: file.name, idempotencyKey },
      })
      .toPromise();
    if (r.error || !r.data) {
      setProgress(null);
      setError(describeError(r.error ?? {}, t));
      return;
    }
    const ev = r.data.createEvidence;
    const path = ev.uploadPath ?? `/evidence/${encodeURIComponent(ev.id)}/content`;
    if (ev.status !== 'PENDING' && !ev.uploadPath) {
      // Already uploaded by an earlier attempt.
      keys.current.done();
      setProgress(null);
      finish();
      return;
    }
    const up = await uploadFile(path, file, setProgress);
    if (!up.ok) {
      setProgress(null);
      setError({ code: 'INVALID', message: transferMessage(up, t, lang), fields: [{ field: 'file', label: t('evidence.file'), message: transferMessage(up, t, lang) }] });
      return;
    }
    keys.current.done();
    setProgress(null);
    finish();
  };
  const finish = () => {
    setDone(t('evidence.uploaded', { title: title.trim() }));
    setFile(null);
    setTitle('');
    setDescription('');
    setDocumentDate('');
    if (input.current) input.current.value = '';
    onDone();
  };
  const fileProblem = error?.fields.find((f) => f.field === 'file');
  const uploading = progress !== null;
  return (
    <>
      <Done message={done} />
      <Disclosure label={t('evidence.add')} open={open} onToggle={(o) => { setOpen(o); setDone(null); }}>
        <form className="form action-form" aria-label={t('evidence.add')} noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <ErrorSummary error={error} />
          <p className="hint">{t('evidence.noIllicit')}</p>
          <div
            className={`dropzone${dragging ? ' dragging' : ''}`}
            onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            <label htmlFor="evidence-file">{t('evidence.file')}</label>
            <p className="hint" id="evidence-file-hint">{t('evidence.fileHint', { max: formatSize(MAX_UPLOAD_BYTES, lang) })}</p>
            {fileProblem && <p className="field-error" id="evidence-file-error">{fileProblem.message}</p>}
            <input
              ref={input}
              id="evidence-file"
              name="file"
              type="file"
              aria-invalid={fileProblem ? true : undefined}
              aria-describedby={fileProblem ? 'evidence-file-hint evidence-file-error' : 'evidence-file-hint'}
              onChange={(e) => choose(e.target.files?.[0])}
              disabled={uploading}
            />
            {file && <p>{t('evidence.chosen', { name: file.name, size: formatSize(file.size, lang) })}</p>}
          </div>
          <SelectField label={t('evidence.kind')} name="kind" value={kind} onChange={(e) => setKind(e.target.value)} error={error}
            options={EVIDENCE_KINDS.map((k) => ({ value: k, label: t(`enums.EvidenceKind.${k}`) }))} />
          <Field label={t('evidence.title')} name="title" required maxLength={300} value={title} onChange={(e) => setTitle(e.target.value)} error={error} />
          <TextAreaField label={t('evidence.description')} name="description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} error={error} />
          <Field label={t('evidence.documentDate')} name="documentDate" type="date" value={documentDate} onChange={(e) => setDocumentDate(e.target.value)} error={error} />
          {uploading && (
            <div className="field">
              <label htmlFor="evidence-progress">{t('evidence.progress')}</label>
              <progress id="evidence-progress" max={100} value={Math.round((progress ?? 0) * 100)}>
                {Math.round((progress ?? 0) * 100)} %
              </progress>
              <span aria-live="polite">{Math.round((progress ?? 0) * 100)} %</span>
            </div>
          )}
          <div className="actions">
            <button type="submit" disabled={uploading}>
              {uploading ? t('evidence.uploading') : t('evidence.upload')}
            </button>
          </div>
        </form>
      </Disclosure>
    </>
  );
}

function ContentReferenceItem({ r, lang, canWrite, onDone }: { r: ContentReferenceRow; lang: Lang; canWrite: boolean; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <li>
      <dl className="details">
        <dt>{t('references.url')}</dt>
        {/* Never a link: nobody should open illicit content from Égide by mistake. */}
        <dd><code className="hash">{r.url}</code></dd>
        {r.platform && (<><dt>{t('references.platform')}</dt><dd>{r.platform}</dd></>)}
        {r.observedOn && (<><dt>{t('references.observedOn')}</dt><dd>{formatDate(r.observedOn, lang)}</dd></>)}
        {r.sha256 && (<><dt>SHA-256</dt><dd><code className="hash">{r.sha256}</code></dd></>)}
        {r.md5 && (<><dt>MD5</dt><dd><code className="hash">{r.md5}</code></dd></>)}
        {r.perceptualHash && (<><dt>{t('references.perceptualHash')}</dt><dd><code className="hash">{r.perceptualHash}</code></dd></>)}
        {r.description && (<><dt>{t('references.description')}</dt><dd className="prewrap">{r.description}</dd></>)}
      </dl>
      <h3>{t('references.reports')}</h3>
      {r.reports.length === 0 ? <p>{t('references.noReports')}</p> : (
        <ul>
          {r.reports.map((p) => (
            <li key={p.id}>
              {formatDate(p.reportedOn, lang)} — {t(`enums.ReportChannel.${p.channel}`)}
              {p.reference && ` (${t('references.reportReference', { reference: p.reference })})`}
              {p.outcome && <> : {p.outcome}</>}
            </li>
          ))}
        </ul>
      )}
      {canWrite && <ReportForm referenceId={r.id} onDone={onDone} />}
    </li>
  );
}


function ContentReferenceForm({ dossierId, onDone }: { dossierId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const empty = { url: '', platform: '', sha256: '', md5: '', perceptualHash: '', description: '', observedOn: '' };
  const [v, setV] = useState(empty);
  const m = useAction();
  const u = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async () => {
    const p: Problems = {};
    if (!/^https?:\/\/\S+$/i.test(v.url.trim())) p.url = 'references.badUrl';
    if (v.sha256.trim() && !/^[0-9a-fA-F]{64}$/.test(v.sha256.trim())) p.sha256 = 'references.badSha256';
    if (v.md5.trim() && !/^[0-9a-fA-F]{32}$/.test(v.md5.trim())) p.md5 = 'references.badMd5';
    const input = {
      dossierId, url: v.url.trim(), platform: orNull(v.platform), sha256: orNull(v.sha256.toLowerCase()), md5: orNull(v.md5.toLowerCase()),
      perceptualHash: orNull(v.perceptualHash), description: orNull(v.description), observedOn: orNull(v.observedOn),
    };
    if ((await m.run(ADD_CONTENT_REFERENCE, { input }, p)) !== null) {
      setV(empty);
      setOpen(false);
      onDone();
    }
  };
  return (
    <Disclosure label={t('references.add')} open={open} onToggle={setOpen}>
      <form className="form action-form" aria-label={t('references.add')} noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <p className="notice">{t('references.explanation')}</p>
        <ErrorSummary error={m.error} />
        <Field label={t('references.url')} hint={t('references.urlHint')} name="url" type="url" required value={v.url} onChange={u('url')} error={m.error} />
        <Field label={t('references.platform')} name="platform" value={v.platform} onChange={u('platform')} error={m.error} />
        <Field label="SHA-256" hint={t('references.sha256Hint')} name="sha256" value={v.sha256} onChange={u('sha256')} error={m.error} />
        <Field label="MD5" hint={t('references.md5Hint')} name="md5" value={v.md5} onChange={u('md5')} error={m.error} />
        <Field label={t('references.perceptualHash')} name="perceptualHash" value={v.perceptualHash} onChange={u('perceptualHash')} error={m.error} />
        <TextAreaField label={t('references.description')} hint={t('references.descriptionHint')} name="description" rows={2} value={v.description} onChange={u('description')} error={m.error} />
        <Field label={t('references.observedOn')} name="observedOn" type="date" value={v.observedOn} onChange={u('observedOn')} error={m.error} />
        <div className="actions"><button type="submit" disabled={m.busy}>{t('references.add')}</button></div>
      </form>
    </Disclosure>
  );
}

function ReportForm({ referenceId, onDone }: { referenceId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const empty = { channel: 'PHAROS', reference: '', reportedOn: parisDay(new Date()), outcome: '' };
  const [v, setV] = useState(empty);
  const m = useAction();
  const u = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = async () => {
    const p: Problems = {};
    if (!v.reportedOn) p.reportedOn = 'forms.required';
    const input = { contentReferenceId: referenceId, channel: v.channel, reference: orNull(v.reference), reportedOn: v.reportedOn, outcome: orNull(v.outcome) };
    if ((await m.run(RECORD_CONTENT_REPORT, { input }, p)) !== null) {
      setV(empty);
      setOpen(false);
      onDone();
    }
  };
  return (
    <Disclosure label={t('references.addReport')} open={open} onToggle={setOpen}>
      <form className="form action-form" aria-label={t('references.addReport')} noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <ErrorSummary error={m.error} />
        <SelectField label={t('references.channel')} name="channel" value={v.channel} onChange={u('channel')} error={m.error}
          options={REPORT_CHANNELS.map((c) => ({ value: c, label: t(`enums.ReportChannel.${c}`) }))} />
        <Field label={t('references.reportRef')} name="reference" value={v.reference} onChange={u('reference')} error={m.error} />
        <Field label={t('references.reportedOn')} name="reportedOn" type="date" required value={v.reportedOn} onChange={u('reportedOn')} error={m.error} />
        <TextAreaField label={t('references.outcome')} name="outcome" rows={2} value={v.outcome} onChange={u('outcome')} error={m.error} />
        <div className="actions"><button type="submit" disabled={m.busy}>{t('references.addReport')}</button></div>
      </form>
    </Disclosure>
  );
}
