/**
 * The evidence stores: the SigV4 signer against AWS's published example, the
 * local directory, and the S3 store against an in-process receiver that checks
 * every signature itself (test/support/s3-receiver.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ApiProblem } from '../../api/http/api-problem';
import { createLocalStore } from '../../api/evidence/local-store';
import { createS3Store, type S3StoreConfig } from '../../api/evidence/s3-store';
import { EMPTY_PAYLOAD_HASH, signRequest, uriEncode } from '../../api/evidence/sigv4';
import { blobKey, type EvidenceStore } from '../../api/evidence/store';
import { startS3Receiver, type S3Receiver } from '../support/s3-receiver';

const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('SigV4 signing', () => {
  test('signs AWS\'s documented GET Object example to its published signature', () => {
    const headers = signRequest(
      { method: 'GET', host: 'examplebucket.s3.amazonaws.com', path: '/test.txt', headers: { Range: 'bytes=0-9' }, payloadHash: EMPTY_PAYLOAD_HASH },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 's3' },
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
  });

  test('encodes keys as S3 wants: unreserved characters kept, everything else escaped, slashes kept in paths', () => {
    expect(uriEncode('证据 a+b~c/d.pdf', true)).toBe('%E8%AF%81%E6%8D%AE%20a%2Bb~c/d.pdf');
    expect(uriEncode('a/b')).toBe('a%2Fb');
  });
});

describe('blob keys', () => {
  test('fan out by the first two bytes of the hash and refuse anything that is not a hash', () => {
    const sha = hashOf(Buffer.from('x'));
    expect(blobKey(sha)).toBe(`sha256/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`);
    expect(() => blobKey('../../etc/passwd')).toThrow('not a SHA-256');
  });
});

/** What every store must do, whatever it keeps the bytes in. */
function behavesAsAStore(make: () => EvidenceStore) {
  const bytes = Buffer.from('整改完成照片 — not really a photo');
  const sha = hashOf(bytes);

  test('gives back what it was given, under its hash', async () => {
    const store = make();
    await store.put(sha, bytes, 'image/jpeg');
    const blob = await store.get(sha);
    expect(blob).toBeDefined();
    expect(await readAll(blob!.body)).toEqual(bytes);
  });

  test('answers undefined for a hash it does not hold', async () => {
    expect(await make().get(hashOf(Buffer.from('never stored')))).toBeUndefined();
  });

  test('storing the same content twice keeps one blob', async () => {
    const store = make();
    await store.put(sha, bytes, 'image/jpeg');
    await store.put(sha, bytes, 'image/jpeg');
    expect(await readAll((await store.get(sha))!.body)).toEqual(bytes);
  });
}

describe('the local store', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'evidence-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  behavesAsAStore(() => createLocalStore(root));

  test('writes one file per content, named by its hash, with no temporary file left', async () => {
    const store = createLocalStore(join(root, 'made-on-demand'));
    const bytes = Buffer.from('%PDF-1.7 report');
    const sha = hashOf(bytes);
    await store.put(sha, bytes, 'application/pdf');
    await store.put(sha, bytes, 'application/pdf');
    const dir = join(root, 'made-on-demand', 'sha256', sha.slice(0, 2), sha.slice(2, 4));
    expect(readdirSync(dir)).toEqual([sha]);
    const blob = (await store.get(sha))!;
    expect(blob.size).toBe(bytes.length);
    expect(await readAll(blob.body)).toEqual(bytes);
  });
});

describe('the S3 store, against a receiver that checks every signature', () => {
  let receiver: S3Receiver;
  const configOf = (r: S3Receiver, over: Partial<S3StoreConfig> = {}): S3StoreConfig => ({
    endpoint: r.endpoint, bucket: r.bucket, region: r.region, accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey,
    prefix: 'rect/', timeoutMs: 5000, ...over,
  });
  beforeAll(async () => {
    receiver = await startS3Receiver();
  });
  afterAll(async () => receiver.close());
  beforeEach(() => {
    receiver.objects.clear();
    receiver.requests.length = 0;
    receiver.failing = false;
  });

  behavesAsAStore(() => createS3Store(configOf(receiver)));

  test('PUTs the bytes once, under the prefix and the hash, with their type, every request signed', async () => {
    const store = createS3Store(configOf(receiver));
    const bytes = Buffer.from('PK\u0003\u0004 zip of photos');
    const sha = hashOf(bytes);
    await store.put(sha, bytes, 'application/zip');
    await store.put(sha, bytes, 'application/zip');
    expect(receiver.objects.get(`rect/${blobKey(sha)}`)).toEqual({ body: bytes, contentType: 'application/zip' });
    // the second upload found the blob with a HEAD and sent no bytes
    expect(receiver.requests.map((r) => [r.method, r.status])).toEqual([['HEAD', 404], ['PUT', 200], ['HEAD', 200]]);
    expect(receiver.requests.every((r) => r.refusal === undefined)).toBe(true);
  });

  test('a PUT whose body does not match the hash it is stored under is refused by the receiver', async () => {
    const store = createS3Store(configOf(receiver));
    const bytes = Buffer.from('the real bytes');
    await expect(store.put(hashOf(Buffer.from('other bytes')), bytes, 'text/plain')).rejects.toThrow('XAmzContentSHA256Mismatch');
    expect(receiver.objects.size).toBe(0);
  });

  test('a wrong secret is refused (403 SignatureDoesNotMatch) and surfaces as an error, not as a missing blob', async () => {
    const store = createS3Store(configOf(receiver, { secretAccessKey: 'not-the-secret' }));
    const bytes = Buffer.from('x');
    // a HEAD answer has no body, so no S3 error code to quote
    await expect(store.put(hashOf(bytes), bytes, 'text/plain')).rejects.toThrow('evidence store refused a HEAD: HTTP 403');
    await expect(store.get(hashOf(bytes))).rejects.toThrow('evidence store refused a GET: HTTP 403 SignatureDoesNotMatch');
    expect(receiver.requests.map((r) => r.refusal)).toEqual(['SignatureDoesNotMatch', 'SignatureDoesNotMatch']);
  });

  test('a store that is down or failing is a 503 the client may retry, not a 500', async () => {
    receiver.failing = true;
    const failing = createS3Store(configOf(receiver));
    const bytes = Buffer.from('y');
    await expect(failing.get(hashOf(bytes))).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    const unreachable = createS3Store(configOf(receiver, { endpoint: 'http://127.0.0.1:9' }));
    const err = await unreachable.put(hashOf(bytes), bytes, 'text/plain').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiProblem);
    expect(err).toMatchObject({ status: 503 });
  });

  test('an endpoint with a base path keeps it before the bucket', async () => {
    const store = createS3Store(configOf(receiver, { endpoint: `${receiver.endpoint}/`, prefix: '' }));
    const bytes = Buffer.from('z');
    await store.put(hashOf(bytes), bytes, 'text/plain');
    expect([...receiver.objects.keys()]).toEqual([blobKey(hashOf(bytes))]);
  });
});
