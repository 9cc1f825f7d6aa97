/**
 * AWS Signature Version 4 for the few S3 requests the evidence store sends
 * (PUT, GET, HEAD of one object), with node:crypto alone. Path and query are
 * signed exactly as they are sent, so callers build them with s3Path/encode.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** 's3' for object storage */
  service: string;
}

export interface SignableRequest {
  method: string;
  /** the request's host header (host[:port]) */
  host: string;
  /** the absolute path as sent, already URI-encoded */
  path: string;
  /** query parameters (unencoded); signed sorted */
  query?: Record<string, string>;
  /** headers to sign besides host, x-amz-date and x-amz-content-sha256 (lower- or mixed-case names) */
  headers?: Record<string, string>;
  /** hex SHA-256 of the body, or 'UNSIGNED-PAYLOAD' */
  payloadHash: string;
}

export const EMPTY_PAYLOAD_HASH = createHash('sha256').update('').digest('hex');

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/** RFC 3986 encoding as SigV4 wants it: every byte but A–Z a–z 0–9 - _ . ~ escaped (and '/' too unless a path). */
export function uriEncode(value: string, keepSlash = false): string {
  return Array.from(Buffer.from(value, 'utf8'))
    .map((byte) => {
      const c = String.fromCharCode(byte);
      if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) return c;
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** '20130524T000000Z' */
export function amzDate(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
}

export function canonicalQuery(query: Record<string, string> = {}): string {
  return Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export interface CanonicalParts {
  canonicalRequest: string;
  signedHeaders: string;
}

/** The canonical request of `req` with the given x-amz-date. */
export function canonicalRequest(req: SignableRequest, date: string): CanonicalParts {
  const headers: Record<string, string> = {
    host: req.host,
    'x-amz-content-sha256': req.payloadHash,
    'x-amz-date': date,
  };
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  return {
    canonicalRequest: [req.method.toUpperCase(), req.path, canonicalQuery(req.query), canonicalHeaders, signedHeaders, req.payloadHash].join('\n'),
    signedHeaders,
  };
}

/** The headers to send with the request: x-amz-date, x-amz-content-sha256 and Authorization. */
export function signRequest(req: SignableRequest, creds: SigV4Credentials, at: Date = new Date()): Record<string, string> {
  const date = amzDate(at);
  const day = date.slice(0, 8);
  const scope = `${day}/${creds.region}/${creds.service}/aws4_request`;
  const { canonicalRequest: canonical, signedHeaders } = canonicalRequest(req, date);
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonical)].join('\n');
  const signature = createHmac('sha256', signingKey(creds.secretAccessKey, day, creds.region, creds.service)).update(stringToSign, 'utf8').digest('hex');
  return {
    'x-amz-date': date,
    'x-amz-content-sha256': req.payloadHash,
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
