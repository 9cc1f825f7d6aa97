/**
 * The ONE place where errors become HTTP. Business refusals (DomainError codes,
 * including those the workflow raises through a Temporal update) go through
 * DOMAIN_STATUS; edge failures carry their own status; dependencies that cannot
 * be reached are 503 with Retry-After; anything else is a generic 500.
 */
import { z } from 'zod';
import { DomainError, type DomainErrorCode } from '../domain/errors';
import { ApiProblem, type FieldError } from './http/api-problem';
import { classifyTemporalError } from './temporal-errors';
import { isDatabaseDataError, isDatabaseUnavailable } from './db-errors';
import { LedgerFileError } from './ledger/ledger-file-error';
import { LedgerRowsRejected } from './ledger-import/rejection';

export const DOMAIN_STATUS: Record<DomainErrorCode, { status: number; title: string }> = {
  VALIDATION_FAILED: { status: 422, title: 'The request breaks a business rule' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  INVALID_TRANSITION: { status: 409, title: 'Not allowed in the current state' },
  ALREADY_EXISTS: { status: 409, title: 'Already exists' },
  ITEM_CLOSED: { status: 409, title: 'The item is closed' },
  ITEM_TOO_LARGE: { status: 422, title: 'The item would outgrow its limits' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used for another request' },
  BUSY: { status: 503, title: 'The item is catching up; retry shortly' },
};

const API_TITLES: Record<ApiProblem['code'], string> = {
  BAD_REQUEST: 'The request is malformed',
  UNAUTHENTICATED: 'Authentication required',
  PAYLOAD_TOO_LARGE: 'The request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'The request body is in a form this API does not read',
  TOO_MANY_REQUESTS: 'Too many changes from this caller',
  SERVICE_UNAVAILABLE: 'A dependency is unavailable',
  INTERNAL: 'Internal error',
};

export const RETRY_AFTER_SECONDS = '5';

/** RFC 9457 problem details, plus our stable `code` and the request id to quote to support. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
  /** a spreadsheet upload: how many mistakes there are in all (errors lists the first ones) */
  errorsTotal?: number;
}

export interface MappedError {
  problem: Problem;
  headers: Record<string, string>;
  /** true when the cause is ours, not the client's: log it with its stack */
  unexpected: boolean;
}

function problemOf(status: number, code: string, title: string, detail: string, requestId: string, errors?: FieldError[], errorsTotal?: number): Problem {
  return {
    type: `urn:rectification:problem:${code.toLowerCase()}`, title, status, detail, code, requestId,
    ...(errors ? { errors } : {}), ...(errorsTotal !== undefined ? { errorsTotal } : {}),
  };
}

/** zod paths as the client wrote them: `body.tasks.0.deadline.at`. */
export function zodFieldErrors(error: z.ZodError, location: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/**
 * Express' own failures: the body parser marks them with `type` and a 4xx
 * `status`; the router throws a URIError on an undecodable %-escape in the path.
 */
function expressProblem(err: unknown): ApiProblem | undefined {
  if (err instanceof URIError) return new ApiProblem(400, 'BAD_REQUEST', 'the path holds an invalid %-escape');
  if (typeof err !== 'object' || err === null || !('type' in err) || !('status' in err)) return undefined;
  const { type, status } = err as { type: unknown; status: unknown };
  if (type === 'entity.parse.failed') return new ApiProblem(400, 'BAD_REQUEST', 'the body is not valid JSON');
  if (type === 'entity.too.large') return new ApiProblem(413, 'PAYLOAD_TOO_LARGE', 'the body is too large');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new ApiProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `the body's ${type === 'charset.unsupported' ? 'charset' : 'encoding'} is not accepted`);
  }
  if (typeof status === 'number' && status >= 400 && status < 500 && typeof type === 'string') {
    return new ApiProblem(400, 'BAD_REQUEST', `the body could not be read (${type})`);
  }
  return undefined;
}

interface Known {
  status: number;
  code: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
  errors?: FieldError[];
  errorsTotal?: number;
}

/** A rule that names the offending field (details.path) gets it echoed as a field error; one that names several (details.errors), each. */
function fromDomain(code: DomainErrorCode, detail: string, details?: unknown): Known {
  const { path, errors: many } = (details ?? {}) as { path?: unknown; errors?: unknown };
  const errors = Array.isArray(many) ? (many as FieldError[]) : typeof path === 'string' ? [{ path, message: detail }] : undefined;
  // a busy item asks for a retry, like any dependency that is catching up
  const headers = code === 'BUSY' ? { 'Retry-After': RETRY_AFTER_SECONDS } : undefined;
  return { ...DOMAIN_STATUS[code], code, detail, ...(errors ? { errors } : {}), ...(headers ? { headers } : {}) };
}

function fromApi(p: ApiProblem): Known {
  return { status: p.status, code: p.code, title: API_TITLES[p.code], detail: p.message, ...p.extra };
}

function unavailable(what: string): Known {
  return fromApi(
    new ApiProblem(503, 'SERVICE_UNAVAILABLE', `${what} cannot be reached; retry later`, {
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    }),
  );
}

/** An uploaded spreadsheet refused as a file (413, 415, 422 with the refusal's own code) or for its rows (422 LEDGER_INVALID). */
function fromLedger(err: unknown): Known | undefined {
  if (err instanceof LedgerFileError) {
    return { status: err.status, code: err.code, title: 'The uploaded file is refused', detail: err.message };
  }
  if (err instanceof LedgerRowsRejected) {
    const errors = err.errors.map((e) => ({ path: `第${e.row}行 ${e.column}`, row: e.row, column: e.column, message: e.message }));
    return { status: 422, code: 'LEDGER_INVALID', title: 'The spreadsheet has mistakes; nothing was imported', detail: err.message, errors, errorsTotal: err.total };
  }
  return undefined;
}

function toKnown(err: unknown): Known | undefined {
  if (err instanceof DomainError) return fromDomain(err.code, err.message, err.details);
  const ledger = fromLedger(err);
  if (ledger) return ledger;
  if (err instanceof ApiProblem) return fromApi(err);
  const parser = expressProblem(err);
  if (parser) return fromApi(parser);
  const temporal = classifyTemporalError(err);
  if (temporal?.kind === 'domain') return fromDomain(temporal.code, temporal.message, temporal.details);
  if (temporal?.kind === 'unavailable') return unavailable('Temporal');
  if (temporal?.kind === 'noWorker') {
    return fromApi(new ApiProblem(503, 'SERVICE_UNAVAILABLE', 'no worker answered in time; retry with the same Idempotency-Key, which applies the command at most once', {
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    }));
  }
  if (isDatabaseUnavailable(err)) return unavailable('the database');
  if (isDatabaseDataError(err)) return fromDomain('VALIDATION_FAILED', 'a value in the request is malformed or out of range');
  return undefined;
}

export function mapError(err: unknown, requestId: string): MappedError {
  const known = toKnown(err);
  if (!known) {
    const detail = 'an unexpected error occurred; quote the request id when reporting it';
    return { problem: problemOf(500, 'INTERNAL', API_TITLES.INTERNAL, detail, requestId), headers: {}, unexpected: true };
  }
  const problem = problemOf(known.status, known.code, known.title, known.detail, requestId, known.errors, known.errorsTotal);
  return { problem, headers: known.headers ?? {}, unexpected: false };
}
