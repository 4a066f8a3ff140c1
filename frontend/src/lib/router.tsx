// A very small client-side router: three kinds of pages do not need a
// library. Paths carry ids only, never personal data.
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export type Route =
  | { name: 'home' }
  | { name: 'dossiers' }
  | { name: 'dossier'; id: string }
  | { name: 'newDossier' }
  | { name: 'editDossier'; id: string }
  | { name: 'calendar' }
  | { name: 'admin' }
  | { name: 'adminUser'; id: string }
  | { name: 'adminDossier'; id: string }
  | { name: 'audit' }
  | { name: 'accessReport' }
  | { name: 'erase' }
  | { name: 'account' }
  | { name: 'notFound' };

export function parseRoute(pathname: string): Route {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/') return { name: 'home' };
  if (p === '/dossiers') return { name: 'dossiers' };
  if (p === '/dossiers/new') return { name: 'newDossier' };
  if (p === '/calendar') return { name: 'calendar' };
  if (p === '/admin') return { name: 'admin' };
  if (p === '/audit') return { name: 'audit' };
  if (p === '/audit/access-report') return { name: 'accessReport' };
  if (p === '/audit/erase') return { name: 'erase' };
  if (p === '/account') return { name: 'account' };
  const ID = '([A-Za-z0-9_-]+)';
  let m = new RegExp(`^/dossiers/${ID}$`).exec(p);
  if (m) return { name: 'dossier', id: m[1] };
  m = new RegExp(`^/dossiers/${ID}/edit$`).exec(p);
  if (m) return { name: 'editDossier', id: m[1] };
  m = new RegExp(`^/admin/users/${ID}$`).exec(p);
  if (m) return { name: 'adminUser', id: m[1] };
  m = new RegExp(`^/admin/dossiers/${ID}$`).exec(p);
  if (m) return { name: 'adminDossier', id: m[1] };
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
    case 'newDossier':
      return '/dossiers/new';
    case 'editDossier':
      return `/dossiers/${encodeURIComponent(r.id)}/edit`;
    case 'calendar':
      return '/calendar';
    case 'admin':
      return '/admin';
    case 'adminUser':
      return `/admin/users/${encodeURIComponent(r.id)}`;
    case 'adminDossier':
      return `/admin/dossiers/${encodeURIComponent(r.id)}`;
    case 'audit':
      return '/audit';
    case 'accessReport':
      return '/audit/access-report';
    case 'erase':
      return '/audit/erase';
    case 'account':
      return '/account';
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

/** The main sections a route belongs to, for the header's current page (aria-current). */
export function section(r: Route): Route['name'] {
  switch (r.name) {
    case 'dossier':
    case 'newDossier':
    case 'editDossier':
      return 'dossiers';
    case 'adminUser':
    case 'adminDossier':
      return 'admin';
    default:
      return r.name;
  }
}

/** A link of the main navigation: marked aria-current="page" on its own section. */
export function NavLink({ to, current, ...rest }: { to: Route; current: Route } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return <Link to={to} aria-current={section(current) === to.name ? 'page' : undefined} {...rest} />;
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
