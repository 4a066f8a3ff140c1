// "The server says the session is gone": GraphQL answers (api/client.ts)
// and file transfers (lib/files.ts) report it here, and the app (App.tsx)
// ends the session on screen: the sign-in screen with "Votre session a
// expiré…", no case data left, and the same route after signing in again.
type Listener = () => void;
const listeners = new Set<Listener>();

/** Calls l whenever a request finds the session gone; returns the unsubscribe function. */
export function onSessionLost(l: Listener): () => void {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}

/** Reports that a request found the session gone (idle timeout, ended by an administrator). */
export function sessionLost(): void {
  for (const l of [...listeners]) l();
}

/** Whether a file transfer's answer (HTTP status and the error body's code) means the session is gone. */
export function transferUnauthenticated(status: number, code?: string): boolean {
  return status === 401 || code === 'UNAUTHENTICATED';
}
