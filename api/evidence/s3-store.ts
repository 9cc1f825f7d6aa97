/**
 * Evidence in S3-compatible object storage, spoken with fetch and our own
 * SigV4 signer (api/evidence/sigv4.ts): HEAD to skip what is already stored,
 * PUT with the body's SHA-256 signed (the store refuses bytes that do not match
 * it), GET streamed to the client. Path-style addressing by default
 * (`endpoint/bucket/key`, what MinIO and Ceph expect); virtual-hosted style
 * (`bucket.endpoint/key`) for vendors that require it.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ApiProblem } from '../http/api-problem';
import { EMPTY_PAYLOAD_HASH, signRequest, uriEncode, type SigV4Credentials } from './sigv4';
import { blobKey, type EvidenceStore } from './store';

export interface S3StoreConfig {
  /** e.g. https://minio.internal:9000 */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** prepended to every key, e.g. 'rectification/' */
  prefix?: string;
  /** false: bucket in the host name */
  pathStyle?: boolean;
  /** per request (default 30 s) */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function unavailable(what: string): ApiProblem {
  return new ApiProblem(503, 'SERVICE_UNAVAILABLE', `the evidence store ${what}; retry later`, { headers: { 'Retry-After': '5' } });
}

export function createS3Store(config: S3StoreConfig): EvidenceStore {
  const endpoint = new URL(config.endpoint);
  const pathStyle = config.pathStyle ?? true;
  const host = pathStyle ? endpoint.host : `${config.bucket}.${endpoint.host}`;
  const basePath = endpoint.pathname.replace(/\/+$/, '');
  const creds: SigV4Credentials = {
    accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, region: config.region, service: 's3',
  };
  const objectPath = (sha256: string) =>
    `${basePath}${pathStyle ? `/${uriEncode(config.bucket)}` : ''}/${uriEncode(`${config.prefix ?? ''}${blobKey(sha256)}`, true)}`;

  async function send(method: 'GET' | 'HEAD' | 'PUT', sha256: string, body?: Buffer, contentType?: string): Promise<Response> {
    const path = objectPath(sha256);
    const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
    // a PUT signs the body's hash: the content hash we key by, so the store itself checks the bytes
    const signed = signRequest({ method, host, path, headers, payloadHash: body ? sha256 : EMPTY_PAYLOAD_HASH }, creds);
    try {
      return await fetch(`${endpoint.protocol}//${host}${path}`, {
        method,
        headers: { ...headers, ...signed },
        body: body ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : undefined,
        redirect: 'error',
        signal: AbortSignal.timeout(config.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch {
      throw unavailable('cannot be reached');
    }
  }

  /** 5xx and 429 pass; anything else is a misconfiguration (a wrong key, a missing bucket) worth a 500 and a log line. */
  async function failure(res: Response, what: string): Promise<Error> {
    const text = (await res.text().catch(() => '')).slice(0, 300);
    if (res.status >= 500 || res.status === 429) return unavailable(`answered ${res.status} to ${what}`);
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    return new Error(`evidence store refused ${what}: HTTP ${res.status}${code ? ` ${code}` : ''}`);
  }

  return {
    kind: 's3',

    async put(sha256, bytes, contentType) {
      const head = await send('HEAD', sha256);
      if (head.ok) return;
      if (head.status !== 404) throw await failure(head, 'a HEAD');
      const res = await send('PUT', sha256, bytes, contentType);
      if (!res.ok) throw await failure(res, 'a PUT');
      await res.arrayBuffer().catch(() => undefined);
    },

    async get(sha256) {
      const res = await send('GET', sha256);
      if (res.status === 404) {
        await res.arrayBuffer().catch(() => undefined);
        return undefined;
      }
      if (!res.ok || !res.body) throw await failure(res, 'a GET');
      const length = Number(res.headers.get('content-length') ?? NaN);
      return { ...(Number.isFinite(length) ? { size: length } : {}), body: Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>) };
    },
  };
}
