/**
 * Business refusals. They cross the workflow sandbox and the Temporal wire, so
 * callers match on the string `code`, never on `instanceof`.
 */
export type DomainErrorCode =
  | 'VALIDATION_FAILED' // input is malformed for the rule (422)
  | 'FORBIDDEN' // the actor's role or unit may not do this (403)
  | 'NOT_FOUND' // an unknown task or problem inside the item (404)
  | 'INVALID_TRANSITION' // the state does not allow it (409)
  | 'ALREADY_EXISTS' // a duplicate id (409)
  | 'ITEM_CLOSED' // the item is completed or cancelled (409)
  | 'ITEM_TOO_LARGE' // the item would outgrow its size budget (422)
  | 'IDEMPOTENCY_KEY_REUSED' // the same Idempotency-Key with a different request (422)
  | 'BUSY'; // the item cannot take commands until its saves catch up (503, retry later)

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function isDomainErrorCode(value: unknown): value is DomainErrorCode {
  return (
    value === 'VALIDATION_FAILED' ||
    value === 'FORBIDDEN' ||
    value === 'NOT_FOUND' ||
    value === 'INVALID_TRANSITION' ||
    value === 'ALREADY_EXISTS' ||
    value === 'ITEM_CLOSED' ||
    value === 'ITEM_TOO_LARGE' ||
    value === 'IDEMPOTENCY_KEY_REUSED' ||
    value === 'BUSY'
  );
}
