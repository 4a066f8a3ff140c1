// A very small client-side router: three kinds of pages do not need a
// library. Paths carry ids only, never personal data.
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export type Route =
  | { name: 'home' }
  | { name: 'dossiers' }
  | { name: 'dossier'; id: string }
  | { name: 'notFound' };

export function parseRoute(pathname: string): Route {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/') return { name: 'home' };
  if (p === '/dossiers') return { name: 'dossiers' };
  const m = /^\/dossiers\/([A-Za-z0-9_-]+)$/.exec(p);
  if (m) return { name: 'dossier', id: m[1] };
  return { name: 'notFound' };
}

export function routePath(r: Route): string {
  switch (r.name) {
    case 'home':
      return '/';
    case 'dossiers':
      return '/dossiers';
    case 'dossier':
      return `/dossiers/${encodeURIComponent(r.id)}`;
    case 'notFound':
      return '/';
  }
}

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  // The query string (only ?lang=) is kept across pages.
  window.history.pushState(null, '', path + window.location.search);
  listeners.forEach((l) => l());
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

export function Link({ to, onClick, ...rest }: { to: Route } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const href = routePath(to);
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={click} {...rest} />;
}
