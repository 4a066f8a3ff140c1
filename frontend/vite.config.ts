import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The Go server embeds dist/ (frontend/embed.go) and serves it under its
// Content-Security-Policy (script-src 'self'; style-src 'self'): the build
// must not emit inline scripts or styles.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` against a running `bin/egide dev` (EGIDE_LISTEN 127.0.0.1:8080 by default).
    proxy: { '/graphql': 'http://127.0.0.1:8080', '/evidence': 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
