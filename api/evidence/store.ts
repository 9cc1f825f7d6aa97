/**
 * Where evidence files' bytes live: a content-addressed store keyed by the
 * SHA-256 of the bytes, so the same file uploaded twice is stored once. Two
 * kinds: a local directory (development, a single server) and S3-compatible
 * object storage (production: MinIO, Ceph RGW, the cloud vendors' S3 APIs).
 * Who may read a file is decided by its metadata row, never here.
 */
import type { Readable } from 'node:stream';

export interface StoredBlob {
  /** when the store says (the metadata row knows it anyway) */
  size?: number;
  body: Readable;
}

export interface EvidenceStore {
  readonly kind: 'local' | 's3';
  /** Keeps `bytes` under `sha256` (hex, computed by the caller); a blob already there is left as it is. */
  put(sha256: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The blob, or undefined when the store has none under that hash. */
  get(sha256: string): Promise<StoredBlob | undefined>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The blob's key below the store's root: two levels of fan-out so no directory holds millions of entries. */
export function blobKey(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error('not a SHA-256 hex digest');
  return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}
