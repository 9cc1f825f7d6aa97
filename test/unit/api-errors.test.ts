/** The one error → HTTP table, including what the Temporal client and pg throw. */
import { runInNewContext } from 'node:vm';
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { DOMAIN_STATUS, mapError, zodFieldErrors } from '../../api/errors';
import { ApiProblem } from '../../api/http/api-problem';
import { DomainError, isDomainErrorCode, type DomainErrorCode } from '../../domain/errors';

const RID = 'req-1';

function grpcError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code, details: message, metadata: {} });
}

describe('mapError', () => {
  it.each(Object.entries(DOMAIN_STATUS))('maps DomainError %s to its status', (code, { status }) => {
    const { problem, unexpected } = mapError(new DomainError(code as DomainErrorCode, 'because'), RID);
    expect(problem).toMatchObject({ status, code, detail: 'because', requestId: RID });
    expect(problem.type).toMatch(/^urn:rectification:problem:/);
    expect(unexpected).toBe(false);
  });

  it('the table is the documented one', () => {
    expect(Object.fromEntries(Object.entries(DOMAIN_STATUS).map(([c, v]) => [c, v.status]))).toEqual({
      VALIDATION_FAILED: 422, FORBIDDEN: 403, NOT_FOUND: 404, INVALID_TRANSITION: 409, ALREADY_EXISTS: 409, ITEM_CLOSED: 409,
      ITEM_TOO_LARGE: 422, IDEMPOTENCY_KEY_REUSED: 422, BUSY: 503,
    });
  });

  it('every DomainError code has its row, and nothing else does', () => {
    const codes = Object.keys(DOMAIN_STATUS);
    expect(codes.every(isDomainErrorCode)).toBe(true);
    expect(isDomainErrorCode('SOMETHING_ELSE')).toBe(false);
  });

  it('maps the new refusals the workflow throws: an item too large, a reused key, a busy item', () => {
    for (const [type, status] of [['ITEM_TOO_LARGE', 422], ['IDEMPOTENCY_KEY_REUSED', 422], ['BUSY', 503]] as const) {
      const failure = ApplicationFailure.create({ type, message: `refused: ${type}`, nonRetryable: true });
      const { problem, unexpected } = mapError(new WorkflowUpdateFailedError('Workflow Update failed', failure), RID);
      expect(problem).toMatchObject({ status, code: type, detail: `refused: ${type}` });
      expect(unexpected).toBe(false);
    }
    // a busy item asks the caller to come back, like an unreachable dependency
    expect(mapError(new DomainError('BUSY', 'saves are catching up'), RID).headers['Retry-After']).toMatch(/^\d+$/);
    expect(mapError(new DomainError('ITEM_TOO_LARGE', 'too big'), RID).headers['Retry-After']).toBeUndefined();
  });

  it('maps a refused update by the ApplicationFailure type the workflow threw', () => {
    const failure = ApplicationFailure.create({ type: 'INVALID_TRANSITION', message: 'task t1 is not submitted', nonRetryable: true });
    const { problem } = mapError(new WorkflowUpdateFailedError('Workflow Update failed', failure), RID);
    expect(problem).toMatchObject({ status: 409, code: 'INVALID_TRANSITION', detail: 'task t1 is not submitted' });
  });

  it('echoes a domain rule\'s field path as a field error', () => {
    const failure = ApplicationFailure.create({ type: 'VALIDATION_FAILED', message: 'not in the future', details: [{ path: 'tasks[0].deadline' }] });
    const { problem } = mapError(new WorkflowUpdateFailedError('failed', failure), RID);
    expect(problem.errors).toEqual([{ path: 'tasks[0].deadline', message: 'not in the future' }]);
  });

  it('an update failure of an unknown type is a 500, not a client error', () => {
    const failure = ApplicationFailure.create({ type: 'SomethingElse', message: 'boom' });
    expect(mapError(new WorkflowUpdateFailedError('failed', failure), RID).problem.status).toBe(500);
  });

  it('maps missing and duplicate workflows', () => {
    expect(mapError(new WorkflowNotFoundError('nope', 'wf', undefined), RID).problem.status).toBe(404);
    expect(mapError(new WorkflowExecutionAlreadyStartedError('dup', 'wf', 'T'), RID).problem).toMatchObject({ status: 409, code: 'ALREADY_EXISTS' });
  });

  it('answers 503 with Retry-After when Temporal or PostgreSQL cannot be reached', () => {
    const temporal = mapError(new ServiceError('Failed to query Workflow', { cause: grpcError(14, 'UNAVAILABLE') }), RID);
    expect(temporal.problem).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(temporal.headers['Retry-After']).toMatch(/^\d+$/);
    expect(mapError(grpcError(14, 'No connection established'), RID).problem.status).toBe(503);
    const pg = mapError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), RID);
    expect(pg.problem.status).toBe(503);
    expect(pg.headers['Retry-After']).toBeDefined();
    expect(mapError(Object.assign(new Error('terminating connection'), { code: '57P01' }), RID).problem.status).toBe(503);
    // a socket error made in another realm (Node's own, seen from a VM context such as jest's) is no instanceof Error here
    const foreign = Object.assign(runInNewContext('new Error("connect ECONNREFUSED 127.0.0.1:5432")'), { code: 'ECONNREFUSED' });
    expect(foreign instanceof Error).toBe(false);
    expect(mapError(foreign, RID).problem.status).toBe(503);
  });

  it('hides unknown errors behind a generic 500 and flags them for the log', () => {
    const { problem, unexpected } = mapError(new TypeError('secret internals at line 42'), RID);
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', requestId: RID });
    expect(JSON.stringify(problem)).not.toContain('secret internals');
    expect(unexpected).toBe(true);
    // a pg error that is not about reachability (e.g. a bug in SQL) is ours, not the client's
    expect(mapError(Object.assign(new Error('syntax error'), { code: '42601' }), RID).problem.status).toBe(500);
  });

  it('maps body-parser failures and edge problems', () => {
    const parse = Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
    expect(mapError(parse, RID).problem).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    const large = Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 });
    expect(mapError(large, RID).problem.status).toBe(413);
    const auth = new ApiProblem(401, 'UNAUTHENTICATED', 'no token', { headers: { 'WWW-Authenticate': 'Bearer' } });
    expect(mapError(auth, RID)).toMatchObject({ problem: { status: 401 }, headers: { 'WWW-Authenticate': 'Bearer' } });
  });
});

describe('zodFieldErrors', () => {
  it('names the exact field with its location', () => {
    const schema = z.object({ tasks: z.array(z.object({ percent: z.number().max(100) })) });
    const result = schema.safeParse({ tasks: [{ percent: 1 }, { percent: 101 }] });
    expect(result.success).toBe(false);
    expect(zodFieldErrors(result.error!, 'body')).toEqual([{ path: 'body.tasks.1.percent', message: expect.any(String) }]);
  });
});
