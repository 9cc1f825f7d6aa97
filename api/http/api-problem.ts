/**
 * Failures that exist only at the HTTP edge (no token, malformed request,
 * dependency down). Business refusals stay DomainErrors and are mapped by the
 * table in api/errors.ts.
 */
export type ApiProblemCode =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

export interface FieldError {
  path: string;
  message: string;
  /** a spreadsheet's mistakes: the 1-based row and the column's header */
  row?: number;
  column?: string;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiProblemCode,
    message: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}
