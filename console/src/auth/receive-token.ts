/**
 * Production sign-in through the identity provider: it redirects back to
 * /console/#token=<JWT> (the fragment never reaches a server or a log). The
 * token is kept for this tab and the fragment removed from the address bar.
 */
import { saveSession, sessionFromToken } from './session';

export function receiveTokenFromUrl(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  const session = sessionFromToken(decodeURIComponent(match[1]!));
  if (session) saveSession(session);
  history.replaceState(null, '', window.location.pathname + window.location.search);
}
