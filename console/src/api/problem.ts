/**
 * Every refusal of the API is RFC 9457 problem details (title, detail, code,
 * errors[]). ApiError carries it whole so the views can show each field's
 * message next to the form that caused it.
 */
export interface ProblemDetails {
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string; row?: number; column?: string }>;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: ProblemDetails) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
  }

  static from(status: number, body: unknown): ApiError {
    if (body && typeof body === 'object') return new ApiError(status, body as ProblemDetails);
    return new ApiError(status, { status, title: typeof body === 'string' && body ? body : `HTTP ${status}` });
  }
}

/** The lines a person reads: title, detail, then each field's message (its path, or a sheet's row and column). */
export function describeError(err: unknown): { title: string; detail?: string; fields: string[]; requestId?: string } {
  if (err instanceof ApiError) {
    const p = err.problem;
    const fields = (p.errors ?? []).map((e) =>
      e.row !== undefined ? `${e.row}${e.column ? ` ${e.column}` : ''}: ${e.message}` : `${e.path}: ${e.message}`,
    );
    const title = p.title ?? `HTTP ${err.status}`;
    return { title, detail: p.detail && p.detail !== title ? p.detail : undefined, fields, requestId: p.requestId };
  }
  if (err instanceof Error) return { title: err.message, fields: [] };
  return { title: String(err), fields: [] };
}
