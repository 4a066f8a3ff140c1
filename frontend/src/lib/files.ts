// Evidence files: size checks, file-name encoding, idempotency keys, and
// the transfers themselves (upload with progress, download as a blob).
// A transfer refused for want of a session reports it (api/session.ts).
import { sessionLost, transferUnauthenticated } from '../api/session';

/** The server's default upload limit (EGIDE_MAX_UPLOAD_BYTES): 2 GiB. */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/** A size in words, e.g. "1,5 Mo" / "1.5 MB". */
export function formatSize(bytes: number | null | undefined, lang: 'fr' | 'en'): string {
  if (bytes == null) return '';
  const units = lang === 'fr' ? ['o', 'Ko', 'Mo', 'Go', 'To'] : ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const n = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v);
  return `${n} ${units[i]}`;
}

export type SizeProblem = 'empty' | 'tooLarge' | null;

/** Why a file cannot be uploaded, before sending it. */
export function checkFileSize(size: number, max = MAX_UPLOAD_BYTES): SizeProblem {
  if (size <= 0) return 'empty';
  if (size > max) return 'tooLarge';
  return null;
}

/** The X-Egide-Filename header value: the name percent-encoded as UTF-8 (the server decodes it with PathUnescape). */
export function encodeFilename(name: string): string {
  // Only the base name: a browser never gives a path, but be sure.
  const base = name.split(/[\\/]/).pop() ?? '';
  return encodeURIComponent(base);
}

/** A fresh idempotency key (1–128 characters). */
export function newIdempotencyKey(random: () => string = () => crypto.randomUUID()): string {
  return random();
}

/**
 * The idempotency key of one upload attempt: the same key while the same
 * file and details are retried (so a retry after a network failure never
 * creates two records), a new one as soon as any of them changes.
 */
export class IdempotencyKeys {
  private sig = '';
  private key = '';
  constructor(private readonly make: () => string = newIdempotencyKey) {}
  /** The key for this attempt. */
  for(signature: string): string {
    if (signature !== this.sig || !this.key) {
      this.sig = signature;
      this.key = this.make();
    }
    return this.key;
  }
  /** Forget the key once the upload has succeeded. */
  done(): void {
    this.sig = '';
    this.key = '';
  }
}

/** The signature of an upload attempt: the file (name, size, last change) and the form's values. */
export function uploadSignature(file: { name: string; size: number; lastModified: number }, fields: Record<string, string>): string {
  return JSON.stringify([file.name, file.size, file.lastModified, fields]);
}

export type TransferResult =
  | { ok: true; body: unknown }
  | { ok: false; status: number; code?: string; message?: string };

/** What an HTTP error body ({errors:[{message, extensions:{code}}]}) says. */
export function readErrorBody(status: number, text: string): TransferResult {
  try {
    const j = JSON.parse(text) as { errors?: { message?: string; extensions?: { code?: string } }[] };
    const e = j.errors?.[0];
    return { ok: false, status, code: e?.extensions?.code, message: e?.message };
  } catch {
    return { ok: false, status };
  }
}

/** An error answer of a transfer; a missing or expired session is reported to the app. */
function failed(status: number, text: string): TransferResult {
  const r = readErrorBody(status, text);
  if (!r.ok && transferUnauthenticated(r.status, r.code)) sessionLost();
  return r;
}

/** PUT a file to its upload path with progress (fraction 0–1). */
export function uploadFile(path: string, file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<TransferResult> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('X-Egide-CSRF', '1');
    xhr.setRequestHeader('X-Egide-Filename', encodeFilename(file.name));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        let body: unknown = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          /* empty */
        }
        resolve({ ok: true, body });
      } else resolve(failed(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => resolve({ ok: false, status: 0 });
    xhr.onabort = () => resolve({ ok: false, status: -1 });
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

/** GET a file with the CSRF header and save it under a name (object URL and <a download>). */
export async function downloadFile(path: string, fileName: string): Promise<TransferResult> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', headers: { 'X-Egide-CSRF': '1' } });
  } catch {
    return { ok: false, status: 0 };
  }
  if (!res.ok) return failed(res.status, await res.text().catch(() => ''));
  let blob: Blob;
  try {
    blob = await res.blob(); // a download cut mid-way rejects here
  } catch {
    return { ok: false, status: 0 };
  }
  saveBlob(blob, fileName);
  return { ok: true, body: null };
}

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName || 'document';
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
