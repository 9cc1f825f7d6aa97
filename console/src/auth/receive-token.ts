/**
 * Production sign-in through the identity provider: it redirects back to
 * /console/#token=<JWT> (the fragment never reaches a server or a log). The
 * fragment is removed from the address bar at once. Anyone can send a link
 * with a token of their own in it, which would sign the person who follows
 * it in as someone else (login CSRF): so the token is only held, and the
 * sign-in page asks the person to confirm who they would be before it counts.
 */
import { saveSession, sessionFromToken, type Session } from './session';

const PENDING_KEY = 'rect-console-pending-token';

export function receiveTokenFromUrl(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  const session = sessionFromToken(decodeURIComponent(match[1]!));
  if (!session) return;
  // whoever arrives from a sign-in is signed out of the previous session until they confirm the new one
  saveSession(undefined);
  sessionStorage.setItem(PENDING_KEY, session.token);
}

/** The token that arrived in the address and waits for the person's confirmation, if any. */
export function pendingSession(): Session | undefined {
  const token = sessionStorage.getItem(PENDING_KEY);
  const session = token ? sessionFromToken(token) : undefined;
  if (session?.exp && session.exp * 1000 < Date.now()) return undefined;
  return session;
}

export function dropPendingSession(): void {
  sessionStorage.removeItem(PENDING_KEY);
}
