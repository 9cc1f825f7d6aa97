/**
 * Request ids and fingerprints for commands. A request id is bound to the
 * caller: a hash of (subject, Idempotency-Key), fixed-length, so no two callers
 * can collide however they choose their subjects and keys. The fingerprint is a
 * hash of what was asked (command and target); the item refuses a known
 * request id with another fingerprint (IDEMPOTENCY_KEY_REUSED, 422), and the
 * Temporal update id joins both, so Temporal's own deduplication of update ids
 * never answers a different request with an earlier result.
 */
import { createHash } from 'node:crypto';
import type { Command } from '../domain/commands';

function digest(...parts: string[]): string {
  const hash = createHash('sha256');
  // length-prefixed parts: ("ab", "c") and ("a", "bc") hash differently
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:${part}`);
  return hash.digest('base64url').slice(0, 22); // 132 bits
}

/** A JSON text of `value` with object keys sorted, so equal requests hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestIdFor(subject: string, idempotencyKey: string): string {
  return digest('request', subject, idempotencyKey);
}

export function fingerprintOf(itemId: string, command: Command): string {
  return digest('command', itemId, canonicalJson(command));
}

/** The Temporal update id: the same request again reuses it; another request under the same key does not. */
export function updateIdFor(requestId: string, fingerprint: string): string {
  return `${requestId}.${fingerprint}`;
}
