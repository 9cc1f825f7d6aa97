/**
 * Recognises what the Temporal client throws. Business refusals arrive as an
 * ApplicationFailure whose `type` is a DomainErrorCode (the workflow's update
 * validator or handler threw it), wrapped in WorkflowUpdateFailedError; matching
 * is by string, never instanceof across the sandbox. gRPC UNAVAILABLE and
 * deadline errors mean the server cannot be reached.
 */
import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  NamespaceNotFoundError,
} from '@temporalio/common';
import { isDomainErrorCode, type DomainErrorCode } from '../domain/errors';

export type TemporalErrorClass =
  | { kind: 'domain'; code: DomainErrorCode; message: string; details?: unknown }
  | { kind: 'unavailable' }
  /** the update was sent and no worker took it in time: the item may still apply it, and a retry with the same key is safe */
  | { kind: 'noWorker' };

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_FAILED_PRECONDITION = 9;

function grpcCode(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  if (err instanceof ServiceError && err.cause) return grpcCode(err.cause);
  return undefined;
}

/** True for "cannot talk to the server", including the SDK's transport errors before any call got through. */
export function isTemporalUnavailable(err: unknown): boolean {
  const code = grpcCode(err);
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return true;
  return err instanceof Error && err.name === 'TransportError';
}

/**
 * Refusals that pass by themselves within moments: the item is continuing as new
 * or its saves are catching up (BUSY), Temporal holds too many updates in flight
 * for one workflow (RESOURCE_EXHAUSTED), or the run has reached its update limit
 * and is about to continue as new (FAILED_PRECONDITION on "distinct updates").
 */
export function isTransientRefusal(err: unknown): boolean {
  if (err instanceof WorkflowUpdateFailedError) return err.cause instanceof ApplicationFailure && err.cause.type === 'BUSY';
  const code = grpcCode(err);
  if (code === GRPC_RESOURCE_EXHAUSTED) return true;
  return code === GRPC_FAILED_PRECONDITION && /distinct updates|in-flight updates/i.test((err as Error).message ?? '');
}

export function classifyTemporalError(err: unknown): TemporalErrorClass | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    if (isDomainErrorCode(failure.type)) {
      return { kind: 'domain', code: failure.type, message: failure.message, details: failure.details?.[0] };
    }
    return undefined;
  }
  if (err instanceof WorkflowNotFoundError) return { kind: 'domain', code: 'NOT_FOUND', message: 'no such item' };
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return { kind: 'domain', code: 'ALREADY_EXISTS', message: 'an item with this id already exists' };
  }
  if (err instanceof NamespaceNotFoundError) return { kind: 'unavailable' };
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return { kind: 'noWorker' };
  if (isTransientRefusal(err)) {
    return { kind: 'domain', code: 'BUSY', message: 'the item is taking in other changes right now; retry shortly' };
  }
  if (isTemporalUnavailable(err)) return { kind: 'unavailable' };
  return undefined;
}
