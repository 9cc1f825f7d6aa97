/**
 * A small S3-compatible receiver for tests (no MinIO here): path-style
 * `/<bucket>/<key>` PUT, GET and HEAD kept in memory, and every request's
 * SigV4 Authorization header checked the way a real store checks it: the
 * canonical request is rebuilt from what arrived on the wire (raw path, query,
 * the signed headers' received values), the signature recomputed with the
 * secret, the date held to 15 minutes of skew, and a PUT's body hashed and
 * compared with its signed x-amz-content-sha256. Written apart from
 * api/evidence/sigv4.ts on purpose, so a mistake there cannot pass here.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3Receiver {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** key → stored object */
  objects: Map<string, { body: Buffer; contentType: string | undefined }>;
  /** every request as method, path and the status answered */
  requests: Array<{ method: string; path: string; status: number; refusal?: string }>;
  /** answer 503 to everything while true */
  failing: boolean;
  close(): Promise<void>;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function xmlError(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`);
}

/** Why the request's signature does not hold, or undefined when it does. */
function signatureProblem(req: IncomingMessage, body: Buffer, creds: { accessKeyId: string; secretAccessKey: string; region: string }): string | undefined {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'AuthorizationHeaderMalformed';
  const [, keyId, day, region, signedHeaders, signature] = m as unknown as string[];
  if (keyId !== creds.accessKeyId) return 'InvalidAccessKeyId';
  if (region !== creds.region) return 'AuthorizationHeaderMalformed';
  const date = String(req.headers['x-amz-date'] ?? '');
  const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!when || date.slice(0, 8) !== day) return 'AuthorizationHeaderMalformed';
  const at = Date.UTC(+when[1]!, +when[2]! - 1, +when[3]!, +when[4]!, +when[5]!, +when[6]!);
  if (Math.abs(Date.now() - at) > 15 * 60_000) return 'RequestTimeTooSkewed';
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  const names = signedHeaders!.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) if (!names.includes(required)) return 'AccessDenied';
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) return 'XAmzContentSHA256Mismatch';
  const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?');
  const query = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=').map((p) => encode(decodeURIComponent(p ?? ''))).join('='))
    .sort()
    .join('&');
  const headerLines = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [req.method, rawPath, query, headerLines, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day!), region!), 's3'), 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  return expected === signature ? undefined : 'SignatureDoesNotMatch';
}

export async function startS3Receiver(options: { bucket?: string; region?: string } = {}): Promise<S3Receiver> {
  const creds = { accessKeyId: 'TESTKEY0123456789', secretAccessKey: 'test/Secret+Key=0123456789abcdefghij', region: options.region ?? 'cn-test-1' };
  const bucket = options.bucket ?? 'evidence-bucket';
  const objects: S3Receiver['objects'] = new Map();
  const requests: S3Receiver['requests'] = [];
  const receiver = { failing: false } as S3Receiver;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0]!;
      const answer = (status: number, refusal?: string) => requests.push({ method: req.method ?? '', path, status, ...(refusal ? { refusal } : {}) });
      if (receiver.failing) {
        answer(503);
        return xmlError(res, 503, 'ServiceUnavailable');
      }
      const problem = signatureProblem(req, body, creds);
      if (problem) {
        answer(403, problem);
        return xmlError(res, 403, problem);
      }
      const prefix = `/${bucket}/`;
      if (!path.startsWith(prefix)) {
        answer(404);
        return xmlError(res, 404, 'NoSuchBucket');
      }
      const key = decodeURIComponent(path.slice(prefix.length));
      if (req.method === 'PUT') {
        objects.set(key, { body, contentType: req.headers['content-type'] });
        answer(200);
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
        return res.end();
      }
      const object = objects.get(key);
      if (req.method === 'GET' || req.method === 'HEAD') {
        if (!object) {
          answer(404);
          if (req.method === 'HEAD') return res.writeHead(404).end();
          return xmlError(res, 404, 'NoSuchKey');
        }
        answer(200);
        res.writeHead(200, { 'content-length': String(object.body.length), 'content-type': object.contentType ?? 'application/octet-stream' });
        return res.end(req.method === 'GET' ? object.body : undefined);
      }
      answer(405);
      return xmlError(res, 405, 'MethodNotAllowed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    ...creds,
    objects,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
