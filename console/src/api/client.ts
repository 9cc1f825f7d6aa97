/**
 * The typed API client: openapi-fetch over the types generated from the API's
 * own OpenAPI document (src/api/schema.d.ts), so a route or body the API does
 * not have is a type error here. The bearer token is added to every request.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { ApiError } from './problem';

export type Schemas = components['schemas'];
export type ItemSummary = Schemas['ItemSummary'];
export type ItemView = Schemas['ItemView'];
export type TaskView = Schemas['TaskView'];
export type UnitTasks = Schemas['UnitTasks'];
export type UnitRanking = Schemas['UnitRanking'];
export type Light = Schemas['Light'];
export type ItemInput = Schemas['ItemInput'];

let currentToken: string | undefined;
export function setToken(token: string | undefined): void {
  currentToken = token;
}
export function getToken(): string | undefined {
  return currentToken;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (currentToken) request.headers.set('Authorization', `Bearer ${currentToken}`);
    return request;
  },
};

/** Same origin as the API (the API serves the console under /console/). */
// fetch looked up per call, not captured at load (tests stub it; so may a service worker)
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? 'http://localhost', fetch: (request) => globalThis.fetch(request) });
api.use(auth);

/** Unwraps an openapi-fetch answer: the data, or an ApiError carrying the problem details. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw ApiError.from(response.status, error);
  return data as T;
}

/** A fresh Idempotency-Key per user action: a retry of the same click applies once. */
export function idempotencyKey(): string {
  return `console-${crypto.randomUUID()}`;
}
