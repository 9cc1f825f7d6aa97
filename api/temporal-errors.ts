/**
 * Recognises what the Temporal client throws. Business refusals arrive as an
 * ApplicationFailure whose `type` is a DomainErrorCode (the workflow's update
 * validator or handler threw it), wrapped in WorkflowUpdateFailedError; matching
 * is by string, never instanceof across the sandbox. gRPC UNAVAILABLE and
 * deadline errors mean the server cannot be reached.
 */
import { ServiceError, WorkflowUpdateFailedError, isGrpcServiceError } from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  NamespaceNotFoundError,
} from '@temporalio/common';
import { isDomainErrorCode, type DomainErrorCode } from '../domain/errors';

export type TemporalErrorClass =
  | { kind: 'domain'; code: DomainErrorCode; message: string; details?: unknown }
  | { kind: 'unavailable' };

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

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
  if (isTemporalUnavailable(err)) return { kind: 'unavailable' };
  return undefined;
}
