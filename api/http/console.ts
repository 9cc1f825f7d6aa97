/**
 * The web console (console/, a Vite build) served by the API under /console/,
 * so `npm start` brings up both on one origin (no CORS, the API's own tokens).
 *
 * - Hashed build assets (/console/assets/…) are cached for a year; index.html
 *   and other files are revalidated each time, so a new build shows at once.
 * - Any other path without a file extension is a screen of the single-page
 *   app: index.html answers it (SPA fallback); a missing file is a 404.
 * - Not built: 503 saying how to build it (`npm run console:build`).
 * - Every answer carries a strict Content-Security-Policy: scripts from this
 *   origin only, no inline script; inline styles are allowed because Ant
 *   Design injects its CSS-in-JS as <style> elements.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { markRoute } from './request-metrics';

export const CONSOLE_PATH = '/console';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // evidence photos are fetched with the token and shown as blob: URLs
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'geolocation=(), microphone=(), camera=()',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

function built(distDir: string): boolean {
  try {
    return statSync(join(distDir, 'index.html')).isFile();
  } catch {
    return false;
  }
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>控制台尚未构建 · Console not built</title></head>
<body>
<h1>控制台尚未构建</h1>
<p>请在项目目录运行 <code>npm run console:build</code>，然后刷新本页。</p>
<h1 lang="en">The console is not built</h1>
<p lang="en">Run <code>npm run console:build</code> in the project directory, then reload this page.</p>
</body>
</html>
`;

/** Mounts /console/ (and the / redirect to it) on `app`; call after the API routes, before the 404 handler. */
export function mountConsole(app: express.Express, distDir: string): void {
  const files = express.static(distDir, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      res.setHeader('Cache-Control', path.startsWith(join(distDir, 'assets')) ? IMMUTABLE : REVALIDATE);
    },
  });

  // middleware, not a route: like /docs/assets, the console is files beside the API, not in its OpenAPI document
  app.use((req, res, next) => {
    if (req.path !== '/' || (req.method !== 'GET' && req.method !== 'HEAD') || !built(distDir)) return next();
    markRoute(res, '/');
    res.redirect(302, `${CONSOLE_PATH}/`);
  });

  app.use(CONSOLE_PATH, (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    markRoute(res, `${CONSOLE_PATH}/*`);
    res.set(SECURITY_HEADERS);
    // /console → /console/, so the app's relative asset URLs resolve under it
    if (req.originalUrl === CONSOLE_PATH || req.originalUrl.startsWith(`${CONSOLE_PATH}?`)) {
      return res.redirect(301, `${CONSOLE_PATH}/${req.originalUrl.slice(CONSOLE_PATH.length)}`);
    }
    if (!built(distDir)) {
      res.status(503).set({ 'Retry-After': '30', 'Cache-Control': 'no-store' }).type('html').send(NOT_BUILT_PAGE);
      return;
    }
    files(req, res, () => {
      const last = req.path.split('/').pop() ?? '';
      // a file that is not there (an old hashed asset, a typo) is a 404; a screen's path gets the app
      if (last.includes('.')) return next();
      res.setHeader('Cache-Control', REVALIDATE);
      res.sendFile(join(distDir, 'index.html'), (err) => {
        if (err) next(err);
      });
    });
  });
}
