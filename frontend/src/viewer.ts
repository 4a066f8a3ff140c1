import { createContext, useContext } from 'react';
import type { Viewer } from './api/queries';

/** The signed-in user, for screens that show only what their roles allow. */
export const ViewerContext = createContext<Viewer | null>(null);

export function useViewer(): Viewer | null {
  return useContext(ViewerContext);
}
