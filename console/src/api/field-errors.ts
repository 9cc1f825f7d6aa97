/**
 * Problem details name each bad field by path (`body.tasks.1.ownerUnit`,
 * `tasks.1.ownerUnit`); antd forms name fields by arrays (['tasks', 1, 'ownerUnit']).
 * This maps one onto the other so each message sits under its field, while the
 * form keeps every value the user typed.
 */
import { ApiError } from './problem';

export interface FieldError { name: (string | number)[]; errors: string[] }

export function fieldErrorsOf(err: unknown): FieldError[] {
  if (!(err instanceof ApiError)) return [];
  const byPath = new Map<string, string[]>();
  for (const e of err.problem.errors ?? []) {
    const path = e.path.replace(/^body\./, '');
    if (!path || path === 'body') continue;
    byPath.set(path, [...(byPath.get(path) ?? []), e.message]);
  }
  return [...byPath].map(([path, errors]) => ({
    name: path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
    errors,
  }));
}
