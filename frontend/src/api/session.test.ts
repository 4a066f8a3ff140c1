import { afterEach, describe, expect, it, vi } from 'vitest';
import { downloadFile } from '../lib/files';
import { onSessionLost, sessionLost, transferUnauthenticated } from './session';

describe('session lost', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('tells every listener until it unsubscribes', () => {
    const a = vi.fn();
    const b = vi.fn();
    const offA = onSessionLost(a);
    const offB = onSessionLost(b);
    sessionLost();
    offA();
    sessionLost();
    offB();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it('recognises a transfer refused for want of a session', () => {
    expect(transferUnauthenticated(401)).toBe(true);
    expect(transferUnauthenticated(400, 'UNAUTHENTICATED')).toBe(true);
    expect(transferUnauthenticated(403, 'FORBIDDEN')).toBe(false);
    expect(transferUnauthenticated(0)).toBe(false);
  });

  it('is reported by a download answered 401, not by one answered 403', async () => {
    const lost = vi.fn();
    const off = onSessionLost(lost);
    const body = (code: string) => JSON.stringify({ errors: [{ message: 'x', extensions: { code } }] });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(body('UNAUTHENTICATED'), { status: 401 })));
    expect(await downloadFile('/evidence/1/content', 'a.pdf')).toEqual({ ok: false, status: 401, code: 'UNAUTHENTICATED', message: 'x' });
    expect(lost).toHaveBeenCalledTimes(1);
    vi.stubGlobal('fetch', vi.fn(async () => new Response(body('FORBIDDEN'), { status: 403 })));
    await downloadFile('/evidence/1/content', 'a.pdf');
    expect(lost).toHaveBeenCalledTimes(1);
    off();
  });
});
