// What the server says, in the address it sends the browser back to, when
// a single sign-on opened no session (internal/httpserver/oidc.go).
export type SsoNotice = 'ssoExpired' | 'ssoDenied' | 'ssoError';

const notices = new Map<string, SsoNotice>([['expired', 'ssoExpired'], ['denied', 'ssoDenied'], ['error', 'ssoError']]);

/** The notice that a location's query string (`?sso=…`) asks for, if any. */
export function ssoNotice(search: string): SsoNotice | null {
  return notices.get(new URLSearchParams(search).get('sso') ?? '') ?? null;
}

/** The same address without its `sso` parameter (shown once, not kept in history). */
export function withoutSso(pathname: string, search: string, hash: string): string {
  const q = new URLSearchParams(search);
  q.delete('sso');
  const rest = q.toString();
  return pathname + (rest ? `?${rest}` : '') + hash;
}
