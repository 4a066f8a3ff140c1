import { describe, expect, it } from 'vitest';
import { checkFileSize, encodeFilename, formatSize, IdempotencyKeys, MAX_UPLOAD_BYTES, readErrorBody, uploadSignature } from './files';

describe('checkFileSize', () => {
  it('accepts files up to 2 GiB', () => {
    expect(MAX_UPLOAD_BYTES).toBe(2147483648);
    expect(checkFileSize(1)).toBeNull();
    expect(checkFileSize(MAX_UPLOAD_BYTES)).toBeNull();
  });
  it('refuses larger and empty files before uploading', () => {
    expect(checkFileSize(MAX_UPLOAD_BYTES + 1)).toBe('tooLarge');
    expect(checkFileSize(0)).toBe('empty');
    expect(checkFileSize(11, 10)).toBe('tooLarge');
  });
});

describe('formatSize', () => {
  it('writes sizes in each language', () => {
    expect(formatSize(512, 'fr')).toBe('512 o');
    expect(formatSize(1536, 'en')).toBe('1.5 KB');
    expect(formatSize(MAX_UPLOAD_BYTES, 'en')).toBe('2 GB');
    expect(formatSize(null, 'fr')).toBe('');
  });
});

describe('encodeFilename', () => {
  it('percent-encodes UTF-8 so that the server can PathUnescape it', () => {
    expect(encodeFilename('Procès-verbal n°3 (copie).pdf')).toBe('Proc%C3%A8s-verbal%20n%C2%B03%20(copie).pdf');
    expect(decodeURIComponent(encodeFilename('a+b;c%d.txt'))).toBe('a+b;c%d.txt');
    expect(encodeFilename('a+b.txt')).toBe('a%2Bb.txt');
  });
  it('keeps only the base name', () => {
    expect(encodeFilename('C:\\Users\\x\\plainte.pdf')).toBe('plainte.pdf');
    expect(encodeFilename('../../etc/passwd')).toBe('passwd');
  });
});

describe('IdempotencyKeys', () => {
  it('reuses the key while the same upload is retried, and makes a new one otherwise', () => {
    let n = 0;
    const keys = new IdempotencyKeys(() => `k${++n}`);
    const f = { name: 'a.pdf', size: 10, lastModified: 1 };
    const s1 = uploadSignature(f, { title: 'Plainte', kind: 'COMPLAINT' });
    expect(keys.for(s1)).toBe('k1');
    expect(keys.for(s1)).toBe('k1');
    expect(keys.for(uploadSignature(f, { title: 'Plainte 2', kind: 'COMPLAINT' }))).toBe('k2');
    expect(keys.for(uploadSignature({ ...f, size: 11 }, { title: 'Plainte 2', kind: 'COMPLAINT' }))).toBe('k3');
    keys.done();
    expect(keys.for(s1)).toBe('k4');
  });
  it('uses crypto.randomUUID by default', () => {
    const k = new IdempotencyKeys().for('x');
    expect(k).toMatch(/^[0-9a-f-]{36}$/);
    expect(k.length).toBeLessThanOrEqual(128);
  });
});

describe('readErrorBody', () => {
  it('reads the code of an error body', () => {
    expect(readErrorBody(413, '{"errors":[{"message":"too large","extensions":{"code":"INVALID"}}]}')).toEqual({
      ok: false, status: 413, code: 'INVALID', message: 'too large',
    });
    expect(readErrorBody(502, '<html>')).toEqual({ ok: false, status: 502 });
  });
});
