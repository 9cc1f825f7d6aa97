/**
 * A deterministic, seeded fuzzer of every operation in the API's own OpenAPI
 * document (a test tool: it changes no product code).
 *
 * - The operations, their parameters, bodies, roles and documented statuses are
 *   read from `GET /openapi.json`; nothing per route is written by hand except
 *   a few domain hints (which ids exist, which unit owns which task, valid
 *   durations and time zones) so that valid requests get past the business
 *   rules and into the workflows.
 * - Each request is built from a seeded PRNG (mulberry32; fast-check's
 *   `stringMatching` for regex patterns, sampled with a seed from the same
 *   PRNG), either schema-valid or with hostile mutations (lone surrogates,
 *   control characters, lengths at and past the limits, odd instants, numbers
 *   as strings, wrong types, missing and extra fields, undecodable
 *   %-escapes, Content-Encoding on plain bodies, wrong Content-Type, invalid
 *   JSON, duplicate Idempotency-Keys with other bodies, bad tokens).
 * - The whole campaign is generated up front from the seed, then sent one
 *   request at a time over a real HTTP socket, so a seed replays the same
 *   requests in the same order.
 * - A failure is shrunk greedily (drop headers, query pairs, body fields;
 *   shorten strings) while it still fails with the same logged cause.
 */
import { answerClientErrors } from '../../api/http/client-error';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import fc from 'fast-check';
import type express from 'express';
import request from 'supertest';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
// JSON Schema as emitted by zod 4 (draft 2020-12); read loosely
type Schema = { [key: string]: any };

// ---------------------------------------------------------------------------
// PRNG

/** mulberry32: a tiny, fast 32-bit PRNG; the same seed gives the same sequence on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** inclusive on both ends */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }
  weighted<T>(entries: ReadonlyArray<readonly [number, T]>): T {
    const total = entries.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, v] of entries) {
      if ((x -= w) < 0) return v;
    }
    return entries[entries.length - 1]![1];
  }
  fork(): Rng {
    return new Rng(this.int(0, 0xffffffff));
  }
}

// ---------------------------------------------------------------------------
// JSON with verbatim tokens (1e400, -0, huge integers, duplicate keys)

/** A JSON fragment spliced into the body text as is (what JSON.stringify cannot produce). */
export class RawJson {
  constructor(readonly text: string) {}
}

export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof RawJson ? `\u0000raw${raws.push(v.text) - 1}\u0000` : v));
  return (text ?? '').replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]!);
}

function clone<T>(value: T): T {
  if (value instanceof RawJson || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T;
}

/** What a reader sees of a string: lone surrogates, control and invisible characters as \u escapes, long runs collapsed. */
export function printable(text: string, max = 400): string {
  const shown = text.replace(/(.)\1{15,}/gsu, (run, ch: string) => `${ch}…×${[...run].length}`);
  const escaped = shown.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}… (${text.length} chars)` : escaped;
}

// ---------------------------------------------------------------------------
// The OpenAPI document

export interface Operation {
  method: 'get' | 'post';
  template: string;
  operationId: string;
  /** 'public' when the operation has no security requirement */
  roles: string[] | 'public';
  pathParams: Array<{ name: string; schema: Schema }>;
  queryParams: Array<{ name: string; required: boolean; schema: Schema }>;
  idempotent: boolean;
  body?: Schema;
  /** response status → schema of its JSON body (undefined when none is documented) */
  responses: Map<number, Schema | undefined>;
  /** the key used in reports: "POST /items/{id}/cancel" */
  key: string;
}

export class OpenApi {
  readonly operations: Operation[];
  constructor(readonly doc: Schema) {
    this.operations = [];
    for (const [template, item] of Object.entries(doc.paths as Record<string, Schema>)) {
      for (const [method, op] of Object.entries(item)) {
        if (method !== 'get' && method !== 'post') continue;
        const params = (op.parameters as Schema[]).map((p) => this.deref(p));
        const roles = (op.security as unknown[]).length === 0 ? 'public' : /Roles: ([^.]+)\./.exec(op.description ?? '')?.[1]?.split(', ') ?? [];
        const responses = new Map<number, Schema | undefined>();
        for (const [status, resp] of Object.entries(op.responses as Record<string, Schema>)) {
          const r = this.deref(resp);
          const content = (r.content ?? {}) as Record<string, Schema>;
          const first = Object.values(content)[0];
          responses.set(Number(status), first?.schema);
        }
        this.operations.push({
          method,
          template,
          operationId: op.operationId,
          roles,
          pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema })),
          queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: !!p.required, schema: p.schema })),
          idempotent: params.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'),
          body: op.requestBody?.content?.['application/json']?.schema,
          responses,
          key: `${method.toUpperCase()} ${template}`,
        });
      }
    }
  }

  private lookup(ref: string): Schema {
    if (!ref.startsWith('#/')) throw new Error(`external $ref ${ref}`);
    let node: any = this.doc;
    for (const part of ref.slice(2).split('/')) node = node?.[part];
    if (!node) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  }

  /** The schema with its $ref chain resolved; sibling keywords (default, description) kept. */
  deref(schema: Schema | undefined): Schema {
    let s: Schema = schema ?? {};
    for (let hops = 0; typeof s.$ref === 'string' && hops < 20; hops++) {
      const { $ref, ...rest } = s;
      s = { ...this.lookup($ref as string), ...rest };
    }
    return s;
  }

  /** Minimal JSON Schema validation (the keywords zod emits); returns the violations found. */
  validate(schema: Schema | undefined, value: unknown, path = '$', out: string[] = []): string[] {
    if (!schema || out.length > 10) return out;
    const s = this.deref(schema);
    if (s.anyOf || s.oneOf) {
      const branches = (s.anyOf ?? s.oneOf) as Schema[];
      if (!branches.some((b) => this.validate(b, value, path).length === 0)) out.push(`${path}: matches no branch of anyOf/oneOf`);
      return out;
    }
    if ('const' in s && value !== s.const) out.push(`${path}: expected const ${JSON.stringify(s.const)}`);
    if (s.enum && !(s.enum as unknown[]).includes(value)) out.push(`${path}: ${JSON.stringify(value)} not in enum`);
    const types: string[] | undefined = s.type === undefined ? undefined : [].concat(s.type);
    if (types) {
      const actual =
        value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
      const ok = types.includes(actual) || (actual === 'integer' && types.includes('number'));
      if (!ok) {
        out.push(`${path}: expected ${types.join('|')}, got ${actual}`);
        return out;
      }
    }
    if (typeof value === 'string') {
      const length = [...value].length;
      if (s.minLength !== undefined && length < s.minLength) out.push(`${path}: shorter than ${s.minLength}`);
      if (s.maxLength !== undefined && length > s.maxLength) out.push(`${path}: longer than ${s.maxLength}`);
      if (s.pattern && !new RegExp(s.pattern).test(value)) out.push(`${path}: ${JSON.stringify(value)} does not match ${s.pattern}`);
    }
    if (typeof value === 'number') {
      if (s.minimum !== undefined && value < s.minimum) out.push(`${path}: below ${s.minimum}`);
      if (s.maximum !== undefined && value > s.maximum) out.push(`${path}: above ${s.maximum}`);
    }
    if (Array.isArray(value)) {
      if (s.minItems !== undefined && value.length < s.minItems) out.push(`${path}: fewer than ${s.minItems} items`);
      if (s.maxItems !== undefined && value.length > s.maxItems) out.push(`${path}: more than ${s.maxItems} items`);
      if (s.items) value.forEach((v, i) => this.validate(s.items, v, `${path}[${i}]`, out));
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      for (const key of (s.required as string[] | undefined) ?? []) if (!(key in obj)) out.push(`${path}: missing required '${key}'`);
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const [key, v] of Object.entries(obj)) {
        if (props[key]) this.validate(props[key], v, `${path}.${key}`, out);
        else if (s.additionalProperties === false) out.push(`${path}: unexpected property '${key}'`);
        else if (typeof s.additionalProperties === 'object') this.validate(s.additionalProperties, v, `${path}.${key}`, out);
      }
    }
    return out;
  }
}

export async function loadOpenApi(app: express.Express): Promise<OpenApi> {
  const res = await request(app).get('/openapi.json');
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
  return new OpenApi(res.body as Schema);
}

// ---------------------------------------------------------------------------
// Value catalogues

const UNIT_ALPHABET = ['a', 'b', 'Z', '7', ' ', '-', '整', '改', '督', '办', '道', '路', 'é', 'ß', '😀', '🚧', '𠀀'];

/** Text of UTF-16 length in [min, max] with no leading or trailing whitespace (schemas trim). */
function text(rng: Rng, min: number, max: number, exact?: number): string {
  const target = exact ?? rng.int(Math.max(min, 1), Math.max(Math.min(max, 24), Math.max(min, 1)));
  let out = '';
  while (out.length < target) {
    let ch = rng.pick(UNIT_ALPHABET);
    if (out.length + ch.length > target) ch = 'x';
    if (ch === ' ' && (out.length === 0 || out.length + 1 >= target)) ch = 'y';
    out += ch;
  }
  return out;
}

const DAY_MS = 86_400_000;

function isoWithOffset(ms: number, offsetMinutes: number, fraction: boolean): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, fraction ? 23 : 19);
  if (offsetMinutes === 0) return `${local}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const OFFSETS = [0, 480, 480, -300, 345, 840, -720, 330];

/** A valid instant days ahead (or behind, when negative), whole minutes, with a UTC offset. Stable within one UTC day. */
function instant(rng: Rng, fromDays: number, toDays: number): string {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const ms = today + rng.int(fromDays, toDays) * DAY_MS + rng.int(0, 1439) * 60_000;
  return isoWithOffset(ms, rng.pick(OFFSETS), rng.chance(0.2));
}

export const HOSTILE_INSTANTS = [
  '9999-12-31T23:59:59-23:59',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999999999+23:59',
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00+23:59',
  '0001-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2038-01-19T03:14:08Z',
  '2100-01-01T00:00:00+08:00',
  '2200-02-29T00:00:00Z',
  '2400-02-29T12:00:00+14:00',
  '3000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2026-02-29T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-06-30T23:59:60Z',
  '2026-01-01',
  '2026-01-01T00:00:00',
  '2026-01-01T00:00:00+0800',
  '2026-01-01t00:00:00z',
  '2026-01-01T00:00:00.' + '9'.repeat(1000) + 'Z',
  ' 2027-01-01T00:00:00Z',
  '2027-01-01T00:00:00Z\u0000',
  '２０２７-01-01T00:00:00Z',
];

function hostileStrings(max: number | undefined): string[] {
  const m = max ?? 200;
  const half = Math.floor(m / 2);
  return [
    '\ud800',
    '\udc00',
    'a\ud800b',
    '\udfff\ud800',
    'x'.repeat(Math.max(m - 1, 0)) + '\ud800',
    '\u0000',
    'a\u0000b',
    '\u0001\u0002\u001b[31m\u001f',
    '\u007f\u0085\u009f',
    'line\r\nbreak',
    '\u2028\u2029',
    '\ufeffbom',
    '\u200b',
    '\u202egnp.exe',
    'e\u0301'.repeat(Math.max(half, 1)),
    '',
    ' ',
    '\t\n',
    '\u3000',
    'a'.repeat(m),
    'a'.repeat(m + 1),
    'a'.repeat(m * 10),
    ' '.repeat(m) + 'a',
    '😀'.repeat(half),
    '😀'.repeat(half) + 'a',
    '😀'.repeat(m),
    '整'.repeat(m),
    '整'.repeat(m + 1),
    '𠀀'.repeat(half + 1),
    "' OR 1=1 --",
    '%00%ff',
    '../../etc/passwd',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    '\\',
    '"',
    '1e309',
    'NaN',
    '-0',
  ];
}

/** Instants the date-time pattern accepts that are still extreme. */
export const EDGE_INSTANTS = [
  '9999-12-31T23:59:59-23:59',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999999999+14:00',
  '9999-12-31T12:00:00-12:00',
  '3000-01-01T00:00:00Z',
  '2100-01-01T00:00:00+08:00',
  '2400-02-29T12:00:00+14:00',
  '0000-01-01T00:00:00+23:59',
  '1970-01-01T00:00:00Z',
];

/** Strings of at most `max` UTF-16 units (at least 1, none blank) that a plain zod string takes but that stress what follows. */
function edgeStrings(max: number): string[] {
  const half = Math.max(Math.floor(max / 2), 1);
  return [
    '\ud800', '\udc00', 'a\ud800b', '\udfff\ud800', 'x'.repeat(max - 1) + '\ud800', '\ud83d'.repeat(Math.min(max, 8)),
    'a\u0000b', '\u0001\u001b[31m\u001f', 'x\u007f\u0085', 'a\u2028b', '\ufeffx', 'x\u200b', '\u202egnp.exe',
    '整'.repeat(max), '😀'.repeat(half), '𠀀'.repeat(half), 'e\u0301'.repeat(half), 'a'.repeat(max), "x' OR 1=1 --", 'x\\"',
  ];
}

const HOSTILE_NUMBERS: unknown[] = [
  '5', '1', '0', '-1', '1.5', '', ' 1', '0x10', '1e2',
  1e308, -1e308, 2 ** 31, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -1, 0, 0.5, 1.0000001, 1e-7, 99.999,
  new RawJson('1e400'), new RawJson('-1e400'), new RawJson('-0'), new RawJson('123456789012345678901234567890'), new RawJson('1E+2'),
  new RawJson('0.00000000000000000000000000000000000001'),
];

const TYPE_CONFUSION: unknown[] = [null, true, false, 0, -1, 1.5, '', 'x', [], ['x'], {}, { a: 1 }, [[[[]]]], new RawJson('1e400')];

// ---------------------------------------------------------------------------
// Value generation from schemas

type Hint = (path: readonly string[], schema: Schema, rng: Rng) => unknown;

export class ValueGen {
  constructor(private readonly api: OpenApi) {}

  /** A value valid for `schema` (as far as JSON Schema can say), hints first. */
  valid(schema: Schema | undefined, rng: Rng, hint?: Hint, path: readonly string[] = []): unknown {
    const s = this.api.deref(schema);
    const hinted = hint?.(path, s, rng);
    if (hinted !== undefined) return hinted;
    if ('const' in s) return s.const;
    if (s.enum) return rng.pick(s.enum as unknown[]);
    if (s.anyOf || s.oneOf) {
      const branches = ((s.anyOf ?? s.oneOf) as Schema[]).filter((b) => this.api.deref(b).type !== 'null');
      return this.valid(rng.pick(branches), rng, hint, path);
    }
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const required = new Set<string>(s.required ?? []);
        for (const [key, prop] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
          if (required.has(key) || rng.chance(0.5)) out[key] = this.valid(prop, rng, hint, [...path, key]);
        }
        return out;
      }
      case 'array': {
        const min = s.minItems ?? 0;
        const max = Math.min(s.maxItems ?? min + 3, min + 3);
        return Array.from({ length: rng.int(min, max) }, (_, i) => this.valid(s.items, rng, hint, [...path, String(i)]));
      }
      case 'integer':
        return rng.int(Math.max(s.minimum ?? -1000, -1000), Math.min(s.maximum ?? 1000, 1000));
      case 'number':
        return Math.max(s.minimum ?? -1000, -1000) + rng.float() * 100;
      case 'boolean':
        return rng.chance(0.5);
      default:
        return this.string(s, rng);
    }
  }

  string(s: Schema, rng: Rng): string {
    if (s.format === 'date-time') return instant(rng, -30, 400);
    const min = s.minLength ?? 0;
    const max = s.maxLength ?? 200;
    if (s.format === 'email') return rng.pick(['leader@example.org', 'a.b@county.gov.cn', 'x@y.cn']);
    if (s.pattern) {
      const re = new RegExp(s.pattern as string);
      let arbitrary: fc.Arbitrary<string>;
      try {
        arbitrary = fc.stringMatching(re);
      } catch {
        // fast-check cannot generate for every regex (lookaheads): a plain sample it is
        return rng.pick(['a', 'A1', 'x-1', '09:00']);
      }
      for (let attempt = 0; attempt < 20; attempt++) {
        const [candidate] = fc.sample(arbitrary, { seed: rng.int(0, 0x7fffffff), numRuns: 1 });
        if (candidate !== undefined && candidate.length >= min && candidate.length <= max && candidate.trim() === candidate) return candidate;
      }
      return rng.pick(['a', 'A1', 'x-1', '09:00']);
    }
    // one string in ten exactly at the limit (CJK and emoji count in UTF-16 units, as zod counts)
    if (rng.chance(0.1) && max <= 2000) return text(rng, min, max, max);
    return text(rng, min, max);
  }

  /** A value `schema` accepts that is still extreme: lone surrogates, far instants, lengths and counts at the limits. */
  edge(schema: Schema | undefined, rng: Rng): unknown {
    const s = this.api.deref(schema);
    if ('const' in s) return s.const;
    if (s.enum) return rng.pick(s.enum as unknown[]);
    if (s.anyOf || s.oneOf) return this.edge(rng.pick((s.anyOf ?? s.oneOf) as Schema[]), rng);
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    switch (type) {
      case 'integer':
      case 'number':
        return rng.pick([s.minimum ?? 0, s.maximum ?? Number.MAX_SAFE_INTEGER]);
      case 'array': {
        const count = Math.min(s.maxItems ?? 50, 60);
        return Array.from({ length: rng.chance(0.5) ? count : (s.minItems ?? 0) }, () => this.edge(s.items, rng));
      }
      case 'object':
        return this.valid(s, rng);
      case 'boolean':
        return rng.chance(0.5);
      default: {
        if (s.format === 'date-time') return rng.pick(EDGE_INSTANTS);
        const max = s.maxLength ?? 200;
        if (s.pattern) {
          const re = new RegExp(s.pattern as string);
          const long = rng.pick(['a'.repeat(max), `A${'.:-_'.repeat(max)}`.slice(0, max), '0', 'Z-', 'a:b.c_d-e']);
          return re.test(long) ? long : this.string(s, rng);
        }
        return rng.pick(edgeStrings(max));
      }
    }
  }

  /** A value that breaks (or stresses) `schema`. */
  hostile(schema: Schema | undefined, rng: Rng, valid: () => unknown): unknown {
    const s = this.api.deref(schema);
    if (rng.chance(0.15)) return clone(rng.pick(TYPE_CONFUSION));
    if (s.anyOf || s.oneOf) {
      const branch = rng.pick((s.anyOf ?? s.oneOf) as Schema[]);
      return rng.chance(0.5) ? this.hostile(branch, rng, valid) : { ...(valid() as object), kind: rng.pick(['Instant', 'days', '', 'instant ']) };
    }
    if (s.enum) {
      const v = String(rng.pick(s.enum as unknown[]));
      return rng.pick([v.toUpperCase(), ` ${v}`, `${v}\u0000`, `${v}\ud800`, 'unknown', '', 0, v.normalize('NFD') + '\u0301']);
    }
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    switch (type) {
      case 'object':
        return rng.pick([null, [], 'object', { __proto__: null, constructor: 'x' }]);
      case 'array': {
        const max = s.maxItems ?? 50;
        const item = () => this.valid(s.items, rng);
        return rng.weighted<unknown>([
          [3, Array.from({ length: max }, item)],
          [3, Array.from({ length: max + 1 }, item)],
          [1, Array.from({ length: Math.min(max * 20, 5000) }, () => 'x')],
          [2, [this.hostile(s.items, rng, item)]],
          [1, [null]],
          [1, [[item()]]],
          [1, []],
        ]);
      }
      case 'integer':
      case 'number':
        return clone(rng.pick([...HOSTILE_NUMBERS, (s.minimum ?? 0) - 1, (s.maximum ?? 100) + 1, String(s.maximum ?? 1)]));
      case 'boolean':
        return rng.pick(['true', 'false', 1, 0, null, 'yes']);
      default:
        if (s.format === 'date-time' || rng.chance(0.1)) return rng.pick(HOSTILE_INSTANTS);
        return rng.pick(hostileStrings(s.maxLength));
    }
  }

  /** The schema of the value found at `path` inside `root` (anyOf branches chosen by the value's `kind`). */
  schemaAt(root: Schema | undefined, value: unknown, path: readonly (string | number)[]): Schema | undefined {
    let s: Schema | undefined = root;
    let v: any = value;
    for (const step of path) {
      if (!s) return undefined;
      s = this.branchFor(this.api.deref(s), v);
      if (typeof step === 'number') s = s.items;
      else s = (s.properties ?? {})[step];
      v = v?.[step];
    }
    return s ? this.branchFor(this.api.deref(s), v) : undefined;
  }

  private branchFor(s: Schema, value: unknown): Schema {
    const branches = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (!branches) return s;
    const kind = (value as { kind?: unknown } | null)?.kind;
    const matching = branches.map((b) => this.api.deref(b)).find((b) => b.properties?.kind?.const === kind);
    return matching ?? this.api.deref(branches.find((b) => this.api.deref(b).type !== 'null'));
  }
}

/** Every path inside a JSON value, the root first. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (value instanceof RawJson || value === null || typeof value !== 'object' || out.length > 400) return out;
  if (Array.isArray(value)) value.slice(0, 5).forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function getAt(value: any, path: readonly (string | number)[]): any {
  return path.reduce((v, step) => v?.[step], value);
}

function setAt(root: any, path: readonly (string | number)[], next: unknown): any {
  if (path.length === 0) return next;
  const parent = getAt(root, path.slice(0, -1));
  if (parent && typeof parent === 'object') parent[path[path.length - 1]!] = next;
  return root;
}

function deleteAt(root: any, path: readonly (string | number)[]): any {
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (parent && typeof parent === 'object') delete parent[last];
  return root;
}

// ---------------------------------------------------------------------------
// %-encoding that also writes what encodeURIComponent refuses

/** encodeURIComponent, except that a lone surrogate is written as its (invalid) 3-byte UTF-8 form instead of throwing. */
export function encodeLoose(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isHigh = c >= 0xd800 && c <= 0xdbff;
    const next = s.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(s[i]!);
    }
  }
  return out;
}

export const HOSTILE_SEGMENTS = [
  '%ff', '%E0%A4%A', '%', '%%', '%zz', '%00', '%2F', '%2e%2e', '..', '.', '%ED%A0%80', '%ED%B0%80', '%C0%AF', '%F4%90%80%80',
  '%EF%BF%BF', '%C3%28', 'a%ffb', '%0A', '%20', '+', encodeLoose('整改'), encodeLoose('😀'), 'a'.repeat(101), 'a'.repeat(4000),
  encodeLoose('\ud800'), encodeLoose(' leading'), 'A%3Ab', '-start', '_x', '%E2%80%AE',
];

// ---------------------------------------------------------------------------
// Requests

export type ActorKey =
  | 'leader' | 'ownerA' | 'ownerB' | 'supervisor' | 'admin' | 'weird'
  | 'none' | 'garbage' | 'expired' | 'wrongKey' | 'algNone' | 'basic';

export const ROLE_ACTORS: Record<string, ActorKey[]> = {
  leader: ['leader', 'weird'], owner: ['ownerA', 'ownerB'], supervisor: ['supervisor'], admin: ['admin'],
};
const ALL_ACTORS: ActorKey[] = ['leader', 'ownerA', 'ownerB', 'supervisor', 'admin', 'weird', 'none', 'garbage', 'expired', 'wrongKey', 'algNone', 'basic'];

export interface BodySpec {
  kind: 'json' | 'raw';
  /** kind json: the value (RawJson tokens allowed) */
  json?: unknown;
  /** kind raw: the text (UTF-8), or bytes when `binary` (one char = one latin1 byte) */
  raw?: string;
  binary?: boolean;
  /** undefined: application/json; null: no Content-Type header */
  contentType?: string | null;
  /** the Content-Encoding header */
  contentEncoding?: string;
  /** really compress the bytes (else the header lies about a plain body) */
  compress?: 'gzip' | 'deflate' | 'br';
}

export interface RequestSpec {
  index: number;
  /** "POST /items/{id}/cancel", or "PUT /items/{id} (off-spec)" */
  op: string;
  operationId?: string;
  method: string;
  template: string;
  /** path parameters, already %-encoded exactly as sent */
  pathParams: Record<string, string>;
  /** query pairs, already %-encoded exactly as sent; a null value sends the bare key */
  query: Array<[string, string | null]>;
  actor: ActorKey;
  headers: Record<string, string>;
  body?: BodySpec;
  /**
   * valid: schema-valid and aimed at existing things; edge: schema-valid but extreme (lone surrogates,
   * far instants, lengths and counts at the limits); hostile: breaks the schema or the HTTP framing
   */
  mode: 'valid' | 'edge' | 'hostile';
  /** what was mutated, for the report */
  notes: string[];
}

export interface RenderedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export function renderPath(spec: RequestSpec): string {
  const path = spec.template.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => spec.pathParams[name] ?? '');
  const query = spec.query.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join('&');
  return query ? `${path}?${query}` : path;
}

export function bodyBytes(body: BodySpec): Buffer {
  const plain = body.kind === 'json' ? Buffer.from(toJsonText(body.json), 'utf8') : Buffer.from(body.raw ?? '', body.binary ? 'latin1' : 'utf8');
  switch (body.compress) {
    case 'gzip':
      return zlib.gzipSync(plain);
    case 'deflate':
      return zlib.deflateSync(plain);
    case 'br':
      return zlib.brotliCompressSync(plain);
    default:
      return plain;
  }
}

export function render(spec: RequestSpec, tokens: Record<ActorKey, string | undefined>): RenderedRequest {
  const headers: Record<string, string> = { ...spec.headers };
  const token = tokens[spec.actor];
  if (spec.actor === 'basic') headers.Authorization = 'Basic YWRtaW46YWRtaW4=';
  else if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  let body: Buffer | undefined;
  if (spec.body) {
    body = bodyBytes(spec.body);
    if (spec.body.contentType !== null) headers['Content-Type'] = spec.body.contentType ?? 'application/json';
    if (spec.body.contentEncoding !== undefined) headers['Content-Encoding'] = spec.body.contentEncoding;
  }
  return { method: spec.method, path: renderPath(spec), headers, body };
}

/** A curl-like description of a request; tokens appear as $LEADER, $OWNER_A, … */
export function describeRequest(spec: RequestSpec): string {
  const lines = [`curl -X ${spec.method} "$A${renderPath(spec)}"`];
  const tokenVar: Record<ActorKey, string | undefined> = {
    leader: '$LEADER', ownerA: '$OWNER_A', ownerB: '$OWNER_B', supervisor: '$SUPERVISOR', admin: '$ADMIN', weird: '$WEIRD_LEADER',
    none: undefined, garbage: 'not-a-jwt', expired: '$EXPIRED', wrongKey: '$SIGNED_WITH_OTHER_SECRET', algNone: '$ALG_NONE', basic: undefined,
  };
  if (spec.actor === 'basic') lines.push(`-H 'Authorization: Basic YWRtaW46YWRtaW4='`);
  else if (tokenVar[spec.actor]) lines.push(`-H "Authorization: Bearer ${tokenVar[spec.actor]}"`);
  for (const [k, v] of Object.entries(spec.headers)) lines.push(`-H '${k}: ${printable(v, 120)}'`);
  if (spec.body) {
    if (spec.body.contentType !== null) lines.push(`-H 'Content-Type: ${spec.body.contentType ?? 'application/json'}'`);
    if (spec.body.contentEncoding !== undefined) lines.push(`-H 'Content-Encoding: ${spec.body.contentEncoding}'`);
    const plain = spec.body.kind === 'json' ? toJsonText(spec.body.json) : spec.body.raw ?? '';
    const what = spec.body.compress ? ` (${spec.body.compress}-compressed)` : spec.body.binary ? ' (raw bytes, latin1)' : '';
    lines.push(`--data-binary '${printable(plain, 600)}'${what}`);
  }
  return lines.join(' \\\n  ');
}

// ---------------------------------------------------------------------------
// The world the generator aims at

export interface WorldItem {
  id: string;
  problems: string[];
  tasks: Array<{ id: string; unit: string }>;
  /** created before the campaign (exists for sure) or by a request of it (may have been refused) */
  origin: 'setup' | 'campaign';
  cancelled?: boolean;
}

export interface FuzzWorld {
  salt: string;
  control: { itemId: string; planId: string; taskIds: string[] };
  items: WorldItem[];
  /** plans that campaign items may join (never the control plan) */
  planIds: string[];
  units: string[];
}

export const UNIT_A = 'unit-a';
export const UNIT_B = 'unit-b';

const TIMEZONES = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/London'];
const DURATIONS = ['PT0S', 'P3D', 'PT12H', 'P1W', 'P5D', 'PT30M', 'P2DT3H'];
const HOSTILE_DURATIONS = ['P', 'PT', 'P-1D', 'P1Y', 'P1M', 'P99999999999D', 'PT0.5S', 'P1D ', 'p3d', 'P3D\u0000', 'P1E3D', 'P10000W', 'PT9007199254740993S'];
const HOSTILE_TIMEZONES = ['Mars/Olympus', '', 'Asia/Shanghai\u0000', '+08:00', 'Etc/GMT+14', 'Etc/GMT-14', 'utc', 'Asia/Shanghai ', 'EST5EDT', 'America/Argentina/ComodRivadavia', '\ud800'];

/** Campaign options. */
export interface CampaignOptions {
  seed: number;
  count: number;
}

interface GenState {
  rng: Rng;
  api: OpenApi;
  gen: ValueGen;
  world: FuzzWorld;
  /** Idempotency-Keys already sent, per actor */
  keys: Map<ActorKey, string[]>;
  counter: number;
}

const itemRoutes = (op: Operation) => op.template.startsWith('/items/{id}');
const CONTROL_GUARD = /ctl-/g;

export function generateCampaign(api: OpenApi, world: FuzzWorld, options: CampaignOptions): RequestSpec[] {
  const master = new Rng(options.seed);
  const state: GenState = { rng: master, api, gen: new ValueGen(api), world, keys: new Map(), counter: 0 };
  const operations = api.operations.filter((op) => op.template !== '/docs');
  const weightOf = (op: Operation) =>
    op.operationId === 'startItem' ? 3 : op.operationId === 'cancelItem' ? 0.5 : op.template === '/openapi.json' ? 0.2 : op.roles === 'public' ? 0.5 : 1;
  const weighted = operations.map((op) => [weightOf(op), op] as const);
  const specs: RequestSpec[] = [];
  let followUps: Array<(index: number) => RequestSpec> = [];
  for (let index = 0; index < options.count; index++) {
    const rng = master.fork();
    let spec: RequestSpec;
    if (followUps.length) spec = followUps.shift()!(index);
    else if (rng.chance(0.02)) spec = offSpec(state, rng, index);
    else if (rng.chance(0.1)) {
      followUps = scenario(state, rng);
      spec = followUps.length ? followUps.shift()!(index) : requestFor(state, rng, index, rng.weighted(weighted));
    } else spec = requestFor(state, rng, index, rng.weighted(weighted));
    specs.push(guardControl(spec, world));
  }
  return specs;
}

/**
 * A short lifecycle on one task, request after request, so that the campaign reaches states random
 * requests rarely do (an approved extension, an accepted or reworked task), now and then with
 * schema-valid extremes in it.
 */
function scenario(state: GenState, rng: Rng): Array<(index: number) => RequestSpec> {
  const { world, api } = state;
  const live = world.items.filter((i) => !i.cancelled && i.tasks.length);
  if (!live.length) return [];
  const item = rng.pick(live);
  const task = rng.pick(item.tasks);
  const owner: ActorKey = task.unit === UNIT_A ? 'ownerA' : task.unit === UNIT_B ? 'ownerB' : 'admin';
  const leader: ActorKey = rng.pick(['leader', 'admin', 'weird']);
  const extreme = rng.chance(0.5);
  const words = () => (extreme && rng.chance(0.4) ? rng.pick(edgeStrings(200)) : text(rng, 1, 40));
  const deadline = () =>
    extreme && rng.chance(0.7)
      ? { kind: 'instant', at: rng.pick(EDGE_INSTANTS) }
      : rng.chance(0.5) ? { kind: 'instant', at: instant(rng, 60, 400) } : { kind: 'workingDays', days: rng.pick([1, 30, 3650]) };
  type Step = [operationId: string, actor: ActorKey, body: () => unknown, taskId?: string];
  const newTask = `tq${++state.counter}`;
  const plans: Record<string, Step[]> = {
    extension: [
      ['requestExtension', owner, () => ({ newDeadline: deadline(), reason: words() })],
      ['decideExtension', leader, () => ({ approve: rng.chance(0.8), note: words() })],
    ],
    acceptance: [
      ['reportProgress', owner, () => ({ text: words(), percent: rng.int(0, 100), evidence: [words()] })],
      ['submitTask', owner, () => ({ evidence: [words()], note: words() })],
      ['acceptTask', leader, () => ({ note: words() })],
    ],
    rework: [
      ['reportProgress', owner, () => ({ text: words(), percent: 100 })],
      ['submitTask', owner, () => ({ evidence: [words()] })],
      ['sendBackTask', leader, () => ({ reason: words() })],
      ['reportProgress', owner, () => ({ text: words(), percent: 50 })],
    ],
    addTask: [
      ['addTask', leader, () => ({ id: newTask, problemIds: [rng.pick(item.problems.length ? item.problems : ['p1'])], description: words(), ownerUnit: UNIT_A, ownerPerson: words(), deadline: deadline() })],
      ['reportProgress', 'ownerA', () => ({ text: words(), percent: 10 }), newTask],
    ],
    reassign: [
      ['reassignTask', leader, () => ({ ownerUnit: rng.pick([UNIT_A, UNIT_B]), ownerPerson: words(), coOwners: extreme ? [words()] : [] })],
      ['reportProgress', owner, () => ({ text: words(), percent: 20 })],
    ],
  };
  const kind = rng.pick(Object.keys(plans));
  if (kind === 'addTask') item.tasks.push({ id: newTask, unit: UNIT_A });
  return plans[kind]!.map(([operationId, actor, body, taskId]) => (index: number): RequestSpec => {
    const op = api.operations.find((o) => o.operationId === operationId)!;
    const pathParams: Record<string, string> = { id: encodeLoose(item.id) };
    if (op.pathParams.some((p) => p.name === 'taskId')) pathParams.taskId = encodeLoose(taskId ?? task.id);
    const json = body();
    const key = `fz-${index}`;
    state.keys.set(actor, [...(state.keys.get(actor) ?? []), key]);
    return {
      index, op: op.key, operationId, method: 'POST', template: op.template, pathParams, query: [], actor,
      headers: { 'X-Request-Id': `fz-${index}`, 'Idempotency-Key': key }, body: { kind: 'json', json },
      mode: extreme ? 'edge' : 'valid', notes: [`scenario ${kind}${extreme ? ' (extreme values)' : ''}`],
    };
  });
}

/** Mutating requests never name the control item or plan, whatever the generator drew. */
function guardControl(spec: RequestSpec, world: FuzzWorld): RequestSpec {
  if (spec.method === 'GET') return spec;
  const scrub = (s: string) => s.replace(CONTROL_GUARD, 'ctx-');
  const decoded = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  for (const [k, v] of Object.entries(spec.pathParams)) {
    if (decoded(v).includes('ctl-') || v.includes('ctl-')) spec.pathParams[k] = scrub(v);
  }
  if (spec.body?.kind === 'json') {
    const walk = (v: unknown): unknown =>
      typeof v === 'string' ? scrub(v) : Array.isArray(v) ? v.map(walk) : v && typeof v === 'object' && !(v instanceof RawJson)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v;
    spec.body.json = walk(spec.body.json);
  } else if (spec.body?.raw) spec.body.raw = scrub(spec.body.raw);
  const all = `${renderPath(spec)} ${spec.body ? toJsonText(spec.body.json ?? spec.body.raw) : ''}`;
  if (all.includes(world.control.itemId) || all.includes(world.control.planId)) throw new Error(`request ${spec.index} would touch the control item`);
  return spec;
}

function offSpec(state: GenState, rng: Rng, index: number): RequestSpec {
  const op = rng.pick(state.api.operations);
  const method = rng.pick(['PUT', 'PATCH', 'DELETE']);
  const template = rng.chance(0.5) ? op.template : rng.pick(['/items/{id}/nonsense', '/{id}', '/items/{id}/tasks/{taskId}', '/plans/{id}/items']);
  const pathParams: Record<string, string> = {};
  for (const name of template.match(/\{([A-Za-z0-9_]+)\}/g) ?? []) {
    pathParams[name.slice(1, -1)] = rng.chance(0.5) ? rng.pick(HOSTILE_SEGMENTS) : state.world.items[0]!.id;
  }
  return {
    index, op: `${method} ${template} (off-spec)`, method, template, pathParams, query: [], actor: rng.pick(ALL_ACTORS),
    headers: { 'X-Request-Id': `fz-${index}` }, body: rng.chance(0.5) ? { kind: 'json', json: { reason: 'x' } } : undefined,
    mode: 'hostile', notes: ['undocumented method or path'],
  };
}

function pickItem(state: GenState, rng: Rng, forRead: boolean): { id: string; item?: WorldItem } {
  const { world } = state;
  const live = world.items.filter((i) => !i.cancelled);
  const roll = rng.float();
  if (forRead && roll < 0.35) return { id: world.control.itemId };
  if (roll < 0.85 && world.items.length) {
    const item = live.length && rng.chance(0.85) ? rng.pick(live) : rng.pick(world.items);
    return { id: item.id, item };
  }
  return { id: `no-such-item-${rng.int(0, 9999)}` };
}

function actorFor(op: Operation, rng: Rng, taskUnit: string | undefined): ActorKey {
  if (op.roles === 'public' || rng.chance(0.2)) return rng.pick(ALL_ACTORS);
  const role = rng.pick(op.roles);
  if (role === 'owner') {
    if (taskUnit === UNIT_A) return 'ownerA';
    if (taskUnit === UNIT_B) return 'ownerB';
    return rng.pick(['ownerA', 'ownerB']);
  }
  return rng.pick(ROLE_ACTORS[role] ?? ['admin']);
}

function requestFor(state: GenState, rng: Rng, index: number, op: Operation): RequestSpec {
  const { gen, world } = state;
  const mode = rng.weighted<RequestSpec['mode']>([[35, 'valid'], [25, 'edge'], [40, 'hostile']]);
  const notes: string[] = [];
  const pathParams: Record<string, string> = {};
  let item: WorldItem | undefined;
  let task: { id: string; unit: string } | undefined;

  for (const p of op.pathParams) {
    let value: string;
    if (p.name === 'id' && itemRoutes(op)) {
      const picked = pickItem(state, rng, op.method === 'get');
      item = picked.item;
      value = picked.id;
    } else if (p.name === 'id') {
      value = rng.chance(0.4) ? world.control.planId : rng.chance(0.6) ? rng.pick(world.planIds) : String(gen.valid(p.schema, rng));
    } else if (p.name === 'taskId') {
      task = item && item.tasks.length && rng.chance(0.85) ? rng.pick(item.tasks) : undefined;
      value = task?.id ?? String(gen.valid(p.schema, rng));
    } else if (p.name === 'unit') {
      value = rng.chance(0.7) ? rng.pick(world.units) : String(gen.valid(p.schema, rng));
    } else {
      value = String(gen.valid(p.schema, rng));
    }
    pathParams[p.name] = encodeLoose(value);
  }
  if (mode === 'hostile' && op.pathParams.length && rng.chance(0.3)) {
    const p = rng.pick(op.pathParams);
    pathParams[p.name] = rng.chance(0.7) ? rng.pick(HOSTILE_SEGMENTS) : encodeLoose(String(gen.hostile(p.schema, rng, () => 'x')));
    notes.push(`path ${p.name}`);
  }

  if (mode === 'edge' && op.pathParams.length && rng.chance(0.15)) {
    const p = rng.pick(op.pathParams);
    const value = String(gen.edge(p.schema, rng));
    pathParams[p.name] = encodeLoose(value);
    notes.push(`path ${p.name} = ${printable(value, 40)}`);
  }
  const query = queryFor(state, rng, op, mode, notes);
  const actor = actorFor(op, rng, task?.unit);
  const headers: Record<string, string> = { 'X-Request-Id': `fz-${index}` };
  if (mode === 'hostile' && rng.chance(0.05)) {
    headers['X-Request-Id'] = rng.pick(['', 'a'.repeat(201), '\xff\xfe', 'id with spaces', '<script>', 'a\tb']);
    notes.push('X-Request-Id');
  }
  if (op.idempotent) idempotencyKey(state, rng, actor, index, mode, headers, notes);

  let body: BodySpec | undefined;
  if (op.body) {
    const json = validBody(state, rng, op, item, task);
    body = { kind: 'json', json };
    if (mode === 'hostile') body = hostileBody(state, rng, op, json, notes);
    if (mode === 'edge') body = { kind: 'json', json: edgeJson(state, rng, op, json, notes) };
  } else if (mode === 'hostile' && rng.chance(0.1)) {
    // bodies on GET routes: the JSON parser runs on every route
    body = hostileBody(state, rng, op, { a: 1 }, notes);
  }
  if (mode === 'hostile' && notes.length === 0) {
    // nothing was mutated by chance: mutate the path, else send a body the route does not expect
    if (op.pathParams.length) {
      const p = rng.pick(op.pathParams);
      pathParams[p.name] = rng.pick(HOSTILE_SEGMENTS);
      notes.push(`path ${p.name}`);
    } else {
      body = hostileBody(state, rng, op, body?.json ?? { a: 1 }, notes);
    }
  }
  return { index, op: op.key, operationId: op.operationId, method: op.method.toUpperCase(), template: op.template, pathParams, query, actor, headers, body, mode, notes };
}

function idempotencyKey(state: GenState, rng: Rng, actor: ActorKey, index: number, mode: RequestSpec['mode'], headers: Record<string, string>, notes: string[]): void {
  const used = state.keys.get(actor) ?? [];
  state.keys.set(actor, used);
  const roll = rng.float();
  if (mode === 'hostile' && roll < 0.2) {
    headers['Idempotency-Key'] = rng.pick(['', ' ', '\t', 'a'.repeat(200), 'a'.repeat(201), 'k'.repeat(6000), '\xff\xfe', 'é'.repeat(200), '  padded  ', '../../x', 'null']);
    notes.push('Idempotency-Key');
  } else if (roll < 0.28 && used.length) {
    headers['Idempotency-Key'] = rng.pick(used);
    notes.push('reused Idempotency-Key (other body)');
  } else if (roll < 0.9) {
    const key = `fz-${index}`;
    used.push(key);
    headers['Idempotency-Key'] = key;
  }
}

const CURSORS = (rng: Rng): string[] => {
  const b = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8').toString('base64url');
  return [
    b(['createdAt', 'asc', 'not-a-time', 'x']),
    b(['createdAt', 'asc', '294277-01-01 00:00:00+00', 'x']),
    b(['createdAt', 'asc', 'infinity', 'x']),
    b(['title', 'asc', 'a\u0000b', 'x']),
    b(['title', 'asc', '\ud800', 'x']),
    b(['createdAt', 'asc', null, 'x']),
    b(['createdAt', 'asc', '2026-01-01T00:00:00Z', { a: 1 }]),
    b(['nextDeadline', 'desc', '2026-01-01T00:00:00Z', 'x']),
    b(['2026-01-01 00:00:00+00', 'x']),
    b(['not-a-time', 'x']),
    b(['2026-01-01 00:00:00+00', 'x', 'y', '2026-01-01 00:00:00+00', 2 ** 40]),
    b(['2026-01-01 00:00:00+00', 'x', 'y', '2026-01-01 00:00:00+00', 1e21]),
    b(['2026-01-01 00:00:00+00', 'x', 'y', 'garbage', 1]),
    b({ length: 4 }),
    b('[1,2,3,4'),
    b('"str"'),
    'a'.repeat(2000),
    'a'.repeat(2001),
    '%ff',
    '!!!',
    encodeLoose('\ud800'),
    b(Array.from({ length: 4 }, () => 'x'.repeat(rng.int(1, 400)))),
  ];
};

function queryFor(state: GenState, rng: Rng, op: Operation, mode: RequestSpec['mode'], notes: string[]): Array<[string, string | null]> {
  const { gen, world } = state;
  const pairs: Array<[string, string | null]> = [];
  for (const p of op.queryParams) {
    if (!p.required && !rng.chance(0.35)) continue;
    let value: string;
    if (p.name === 'plan' || p.name === 'planId') value = rng.chance(0.3) ? world.control.planId : rng.pick(world.planIds);
    else if (p.name === 'ownerUnit') value = rng.pick(world.units);
    else if (p.name === 'cursor') {
      // no valid cursor is known ahead: forged ones are hostile
      if (mode !== 'hostile') continue;
      value = rng.pick(CURSORS(rng));
    }
    else value = String(gen.valid(p.schema, rng));
    pairs.push([p.name, p.name === 'cursor' ? value : encodeLoose(value)]);
  }
  if (mode === 'edge' && op.queryParams.length && rng.chance(0.6)) {
    const candidates = op.queryParams.filter((q) => q.name !== 'cursor');
    const p = candidates.length ? rng.pick(candidates) : undefined;
    const value = p ? gen.edge(p.schema, rng) : undefined;
    if (p && value !== undefined) {
      const i = pairs.findIndex(([k]) => k === p.name);
      if (i >= 0) pairs.splice(i, 1);
      pairs.push([p.name, encodeLoose(String(value))]);
      notes.push(`query ${p.name} = ${printable(String(value), 40)}`);
    }
  }
  if (mode === 'hostile' && op.queryParams.length && rng.chance(0.5)) {
    const p = rng.pick(op.queryParams);
    const kind = rng.int(0, 4);
    if (kind === 0) pairs.push([p.name, encodeLoose(String(gen.hostile(p.schema, rng, () => 'x')))]);
    else if (kind === 1) pairs.push([p.name, rng.pick(['%ff', '%E0%A4%A', '%', '%00', '1e3', '0x10', '%20', '-0', 'Infinity', '1.0', '99999999999', '9007199254740993', '1e308'])]);
    else if (kind === 2) pairs.push([p.name, encodeLoose(String(gen.valid(p.schema, rng)))], [p.name, encodeLoose(String(gen.valid(p.schema, rng)))]);
    else if (kind === 3) pairs.push([rng.pick(['unknown', '__proto__', 'constructor', 'limit[]', 'a[b]', '%ff', '']), rng.pick(['1', null, '%ff'])]);
    else pairs.push([p.name, encodeLoose(rng.pick(HOSTILE_INSTANTS))]);
    notes.push(`query ${p.name}`);
  }
  return pairs;
}

/** A body valid for the schema and, as far as the generator can tell, for the business rules. */
function validBody(state: GenState, rng: Rng, op: Operation, item: WorldItem | undefined, task: { id: string; unit: string } | undefined): unknown {
  const { gen, world } = state;
  const n = ++state.counter;
  const unit = () => (rng.chance(0.85) ? rng.pick([UNIT_A, UNIT_B]) : text(rng, 1, 30));
  const deadline = () =>
    rng.chance(0.75) ? { kind: 'instant', at: instant(rng, 2, 300) } : { kind: 'workingDays', days: rng.chance(0.9) ? rng.int(1, 60) : rng.int(61, 3650) };
  const hint: Hint = (path, s) => {
    const last = path[path.length - 1];
    if (last === 'timezone') return rng.pick(TIMEZONES);
    if (last === 'warningLead') return rng.pick(DURATIONS);
    if (last === 'escalationLadder') {
      const rungs = rng.int(1, 4);
      return Array.from({ length: rungs }, (_, i) => ({
        after: i === 0 ? 'PT0S' : `P${i * 3}D`,
        level: i + 1,
        notify: [rng.pick(['ownerUnit', 'unitLeader', 'itemLeader', 'supervisionOffice'])],
      }));
    }
    if (last === 'deadline' || last === 'newDeadline') return deadline();
    if (last === 'ownerUnit') return unit();
    if (last === 'coOwners') return rng.chance(0.5) ? [unit()] : [];
    if (last === 'planId') return rng.pick(world.planIds);
    if (s.format === 'date-time') return instant(rng, 2, 300);
    return undefined;
  };
  switch (op.operationId) {
    case 'startItem': {
      const id = `fz-${world.salt}-n${n}`;
      const problems = Array.from({ length: rng.int(1, 3) }, (_, i) => ({ id: `p${i + 1}`, description: text(rng, 1, 2000), severity: rng.pick(['low', 'medium', 'high', 'critical']) }));
      const tasks: Array<Record<string, unknown>> = problems.map((p, i) => {
        const t = gen.valid(op.body && gen.schemaAt(op.body, { tasks: [{}] }, ['tasks', 0]), rng, hint) as Record<string, unknown>;
        return { ...t, id: `t${i + 1}`, problemIds: [p.id] };
      });
      if (rng.chance(0.02)) {
        // the largest item the schema allows: 500 problems, 1000 tasks, each with a unit of its own
        problems.splice(0, problems.length, ...Array.from({ length: 500 }, (_, i) => ({ id: `p${i + 1}`, description: 'd', severity: 'low' })));
        tasks.splice(0, tasks.length, ...Array.from({ length: 1000 }, (_, i) => ({
          id: `t${i + 1}`, problemIds: [`p${(i % 500) + 1}`], description: 'd', ownerUnit: `Unit ${i + 1}`, ownerPerson: 'P', deadline: deadline(),
        })));
      } else if (rng.chance(0.3)) tasks.push({ ...tasks[0], id: `t${tasks.length + 1}`, problemIds: problems.map((p) => p.id) });
      const body: Record<string, unknown> = {
        ...(gen.valid(op.body, rng, (path, s, r) => (path.length === 1 && (path[0] === 'problems' || path[0] === 'tasks') ? [] : hint(path, s, r))) as object),
        problems,
        tasks,
      };
      if (rng.chance(0.9)) body.id = id;
      else delete body.id;
      if (typeof body.id === 'string') {
        world.items.push({ id, problems: problems.map((p) => p.id), tasks: tasks.map((t) => ({ id: String(t.id), unit: String(t.ownerUnit) })), origin: 'campaign' });
      }
      return body;
    }
    case 'addProblem': {
      const id = `px${n}`;
      item?.problems.push(id);
      return { id, description: text(rng, 1, 2000), severity: rng.pick(['low', 'medium', 'high', 'critical']) };
    }
    case 'addTask': {
      const body = gen.valid(op.body, rng, hint) as Record<string, unknown>;
      const id = `tx${n}`;
      body.id = id;
      body.problemIds = item?.problems.length ? [rng.pick(item.problems)] : ['p1'];
      item?.tasks.push({ id, unit: String(body.ownerUnit) });
      return body;
    }
    case 'cancelItem':
      if (item) item.cancelled = true;
      return gen.valid(op.body, rng, hint);
    case 'reassignTask': {
      const body = gen.valid(op.body, rng, hint) as Record<string, unknown>;
      if (task) task.unit = String(body.ownerUnit);
      return body;
    }
    case 'createPlan': {
      const body = gen.valid(op.body, rng, hint) as Record<string, unknown>;
      body.id = `fz-${world.salt}-plan${n}`;
      return body;
    }
    default:
      return gen.valid(op.body, rng, hint);
  }
}

const RAW_BODIES: Array<{ raw: string; binary?: boolean }> = [
  { raw: '{' }, { raw: '{"a":' }, { raw: "{'a':1}" }, { raw: '{"text":"x",}' }, { raw: 'NaN' }, { raw: '{"a":1}{"b":2}' },
  { raw: '['.repeat(5000) }, { raw: '{"a":'.repeat(2000) + '1' + '}'.repeat(2000) }, { raw: '\u0000' }, { raw: '' },
  { raw: 'null' }, { raw: '"string"' }, { raw: '123' }, { raw: '[]' }, { raw: 'true' }, { raw: '[{}]' },
  { raw: '{"reason":"\ud800"}' }, { raw: '{"reason":"\\ud800","text":"\\udc00","percent":1}' },
  { raw: '{"reason":"\xff\xfe\xc3\x28","text":"\xed\xa0\x80","percent":1}', binary: true },
  { raw: '\xef\xbb\xbf{"reason":"bom"}', binary: true },
  { raw: '{"reason":"a","reason":"b","text":"x","text":"y","percent":1,"percent":2}' },
  { raw: '{"__proto__":{"admin":true},"reason":"x"}' },
  { raw: '{"constructor":{"prototype":{"admin":true}},"reason":"x"}' },
];

function hostileBody(state: GenState, rng: Rng, op: Operation, valid: unknown, notes: string[]): BodySpec {
  const roll = rng.float();
  if (roll < 0.5) {
    const json = mutateJson(state, rng, op, clone(valid), notes);
    return { kind: 'json', json };
  }
  if (roll < 0.62) {
    notes.push('invalid or odd JSON text');
    return { kind: 'raw', ...rng.pick(RAW_BODIES) };
  }
  if (roll < 0.74) {
    const enc = rng.pick(['gzip', 'deflate', 'br', 'identity', 'compress', 'x-unknown', 'gzip, deflate', 'GZIP', 'br, gzip', '']);
    notes.push(`Content-Encoding: ${enc} on a plain body`);
    return { kind: 'json', json: valid, contentEncoding: enc };
  }
  if (roll < 0.8) {
    const compress = rng.pick(['gzip', 'deflate', 'br'] as const);
    notes.push(`${compress}-compressed body`);
    return { kind: 'json', json: valid, contentEncoding: compress, compress };
  }
  if (roll < 0.92) {
    const contentType = rng.pick<string | null>([
      'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16',
      'application/json; charset=latin1', 'application/json; charset=koi8-r', 'application/json; charset=x-nope',
      'application/merge-patch+json', null, '*/*', 'application/json;;', 'application/json; charset="utf-8"', 'APPLICATION/JSON', 'application/problem+json',
    ]);
    notes.push(`Content-Type: ${contentType ?? '(none)'}`);
    return { kind: 'json', json: valid, contentType };
  }
  if (roll < 0.95) {
    notes.push('body over 1 MB');
    return { kind: 'json', json: { ...(valid as object), pad: 'x'.repeat(1_100_000) } };
  }
  notes.push('empty body');
  return { kind: 'raw', raw: '' };
}

function mutateJson(state: GenState, rng: Rng, op: Operation, value: unknown, notes: string[]): unknown {
  const { gen } = state;
  let root = value;
  const times = rng.int(1, 3);
  for (let k = 0; k < times; k++) {
    const paths = pathsOf(root);
    const path = rng.chance(0.85) && paths.length > 1 ? rng.pick(paths.slice(1)) : rng.pick(paths);
    const current = getAt(root, path);
    const schema = gen.schemaAt(op.body, root, path);
    const where = path.length ? path.join('.') : '(root)';
    const roll = rng.float();
    if (roll < 0.12 && path.length) {
      root = deleteAt(root, path);
      notes.push(`removed ${where}`);
    } else if (roll < 0.22 && current && typeof current === 'object' && !Array.isArray(current) && !(current instanceof RawJson)) {
      const key = rng.pick(['extra', '__proto__', 'constructor', 'toString', 'id', '', '\u0000', 'a'.repeat(300), '整改']);
      (current as Record<string, unknown>)[key] = clone(rng.pick(TYPE_CONFUSION));
      notes.push(`extra field ${JSON.stringify(key).slice(0, 20)} at ${where}`);
    } else {
      const next = gen.hostile(schema, rng, () => gen.valid(schema, rng));
      root = setAt(root, path, next);
      notes.push(`${where} = ${printable(toJsonText(next), 60)}`);
    }
    if (root === undefined) root = {};
  }
  // durations and time zones are refined by code, not described by the schema: aim at them by name
  if (rng.chance(0.15) && op.operationId === 'startItem' && root && typeof root === 'object') {
    const policy = rng.chance(0.5)
      ? { warningLead: rng.pick(HOSTILE_DURATIONS) }
      : rng.chance(0.5)
        ? { timezone: rng.pick(HOSTILE_TIMEZONES) }
        : { escalationLadder: [{ after: rng.pick(HOSTILE_DURATIONS), level: 1, notify: ['ownerUnit'] }] };
    (root as Record<string, unknown>).policy = policy;
    notes.push(`policy ${printable(JSON.stringify(policy), 80)}`);
  }
  return root;
}

/** Replaces one or two leaves of a valid body by schema-valid extremes. */
function edgeJson(state: GenState, rng: Rng, op: Operation, value: unknown, notes: string[]): unknown {
  const { gen } = state;
  let root = value;
  const times = rng.int(1, 2);
  for (let k = 0; k < times; k++) {
    const leaves = pathsOf(root).filter((p) => {
      const v = getAt(root, p);
      const last = p[p.length - 1];
      // ids, problem references and the policy (rules the schema does not state) keep the body meaningful: leave them
      return p.length > 0 && last !== 'id' && last !== 'kind' && !p.includes('problemIds') && !p.includes('policy')
        && !(op.operationId === 'startItem' && p.length === 1 && (last === 'problems' || last === 'tasks'))
        && (typeof v !== 'object' || v === null || Array.isArray(v));
    });
    if (!leaves.length) break;
    const path = rng.pick(leaves);
    const parent = path[path.length - 2];
    const schema = gen.schemaAt(op.body, root, path);
    const next = gen.edge(schema, rng);
    root = setAt(root, path, next);
    notes.push(`${path.join('.')} = ${printable(toJsonText(next), 60)}${parent === 'deadline' || parent === 'newDeadline' ? ' (deadline)' : ''}`);
  }
  return root;
}

// ---------------------------------------------------------------------------
// Sending

export interface FuzzResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
  /** set when no HTTP response came back (socket error, timeout) */
  error?: string;
}

export class HttpTarget {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async listen(app: express.Express): Promise<HttpTarget> {
    const server = http.createServer(app);
    answerClientErrors(server); // as api/main.ts does: Node's own refusals answer problem+json too
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HttpTarget(server, (server.address() as AddressInfo).port);
  }

  send(req: RenderedRequest, timeoutMs = 45_000): Promise<FuzzResponse> {
    const started = Date.now();
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: Omit<FuzzResponse, 'ms'>) => {
        if (done) return;
        done = true;
        resolve({ ...r, ms: Date.now() - started });
      };
      let outgoing: http.ClientRequest;
      try {
        outgoing = http.request({
          host: '127.0.0.1', port: this.port, method: req.method, path: req.path, agent: this.agent,
          headers: { ...req.headers, ...(req.body ? { 'Content-Length': String(req.body.length) } : {}) },
        });
      } catch (err) {
        finish({ status: -1, headers: {}, text: '', error: `client refused to send: ${(err as Error).message}` });
        return;
      }
      outgoing.setTimeout(timeoutMs, () => {
        outgoing.destroy(new Error(`no response within ${timeoutMs} ms`));
      });
      outgoing.on('error', (err) => finish({ status: 0, headers: {}, text: '', error: err.message }));
      outgoing.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => finish({ status: 0, headers: {}, text: '', error: err.message }));
      });
      outgoing.end(req.body);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------
// Server log capture (to name the cause and the throwing line of each 5xx)

export interface LoggedError {
  level: number;
  msg: string;
  requestId?: string;
  errType?: string;
  errMessage?: string;
  stack?: string;
  cause?: string;
}

/** A pino destination that keeps warn/error lines by request id. */
export class LogCapture {
  readonly byRequest = new Map<string, LoggedError[]>();
  readonly stream: Writable;
  constructor(private readonly echo = false) {
    let pending = '';
    this.stream = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        pending += chunk.toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          this.line(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
        cb();
      },
    });
  }
  private line(text: string): void {
    if (this.echo) process.stderr.write(`${text}\n`);
    let entry: any;
    try {
      entry = JSON.parse(text);
    } catch {
      return;
    }
    if (entry.level < 40) return;
    const logged: LoggedError = {
      level: entry.level, msg: entry.msg, requestId: entry.requestId, errType: entry.err?.type, errMessage: entry.err?.message,
      stack: entry.err?.stack, cause: entry.cause,
    };
    const key = entry.requestId ?? '(none)';
    this.byRequest.set(key, [...(this.byRequest.get(key) ?? []), logged]);
  }
}

const REPO_FRAME = /\(?((?:\/[^():]+)+):(\d+):(\d+)\)?$/;

/** The first stack frame in this repository's own code, and the first frame overall (maybe a dependency). */
export function throwSite(stack: string | undefined, root: string): { own?: string; first?: string } {
  if (!stack) return {};
  const frames = stack.split('\n').filter((l) => l.trim().startsWith('at ')).map((l) => l.trim());
  const loc = (frame: string) => {
    const m = REPO_FRAME.exec(frame);
    if (!m) return undefined;
    const file = m[1]!.startsWith(root) ? m[1]!.slice(root.length + 1) : m[1]!;
    const fn = /^at (?:async )?([^ (]+) \(/.exec(frame)?.[1];
    return `${file}:${m[2]}${fn ? ` (${fn})` : ''}`;
  };
  const first = frames.map(loc).find((l) => l !== undefined);
  const own = frames.map(loc).find((l) => l !== undefined && !l.includes('node_modules') && !l.startsWith('node:') && !l.startsWith('/'));
  return { own, first };
}

/** The cause of a failure as a stable signature: error type, message with ids and numbers blurred, and the throwing line. */
export function causeSignature(errors: LoggedError[] | undefined, root: string, fallback: string): string {
  const e = errors?.find((x) => x.stack || x.errMessage || x.cause) ?? errors?.[0];
  if (!e) return fallback;
  const message = (e.errMessage ?? e.cause ?? e.msg ?? '')
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b[0-9a-f]{8}-[0-9a-f-]{27}\b/g, '<uuid>')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
  const site = throwSite(e.stack, root);
  return `${e.errType ?? 'Error'}: ${message}${site.first ? ` @ ${site.first}` : ''}`;
}

// ---------------------------------------------------------------------------
// Response checks

export interface Violation {
  kind: 'server-error' | 'problem-shape' | 'undocumented-status' | 'response-schema' | 'valid-request-refused';
  detail: string;
}

export function checkResponse(api: OpenApi, spec: RequestSpec, res: FuzzResponse): Violation[] {
  const out: Violation[] = [];
  if (res.status >= 500 || res.status <= 0) out.push({ kind: 'server-error', detail: `${res.status} ${res.error ?? printable(res.text, 300)}` });
  const op = api.operations.find((o) => o.key === spec.op);
  if (res.status >= 400) {
    const type = String(res.headers['content-type'] ?? '');
    if (!type.startsWith('application/problem+json')) out.push({ kind: 'problem-shape', detail: `Content-Type '${type}' on a ${res.status}` });
    let problem: any;
    try {
      problem = JSON.parse(res.text);
    } catch {
      out.push({ kind: 'problem-shape', detail: `a ${res.status} whose body is not JSON: ${printable(res.text, 200)}` });
    }
    if (problem !== undefined) {
      const errors = api.validate({ $ref: '#/components/schemas/ProblemDetails' }, problem);
      for (const e of errors) out.push({ kind: 'problem-shape', detail: e });
      if (problem?.status !== res.status) out.push({ kind: 'problem-shape', detail: `body status ${problem?.status} on an HTTP ${res.status}` });
      if (typeof problem?.code === 'string' && problem.type !== `urn:rectification:problem:${problem.code.toLowerCase()}`) {
        out.push({ kind: 'problem-shape', detail: `type '${problem.type}' does not match code '${problem.code}'` });
      }
      if (problem?.requestId !== res.headers['x-request-id']) out.push({ kind: 'problem-shape', detail: 'requestId differs from the X-Request-Id header' });
    }
  }
  if (op && res.status > 0) {
    if (!op.responses.has(res.status)) out.push({ kind: 'undocumented-status', detail: `${res.status} is not among ${[...op.responses.keys()].join(', ')}` });
    // an empty path segment makes Express match another route (/items/ is GET /items): no schema to hold it to
    else if (res.status < 300 && op.responses.get(res.status) && !Object.values(spec.pathParams).includes('')) {
      let body: unknown;
      try {
        body = JSON.parse(res.text);
      } catch {
        body = res.text;
      }
      const errors = api.validate(op.responses.get(res.status), body);
      if (errors.length) out.push({ kind: 'response-schema', detail: errors.slice(0, 3).join('; ') });
    }
    if (spec.mode !== 'hostile' && res.status === 400) {
      out.push({ kind: 'valid-request-refused', detail: printable(res.text, 300) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Shrinking

/** Simpler variants of a request, most aggressive first. */
function* simplifications(spec: RequestSpec): Generator<RequestSpec> {
  const copy = (): RequestSpec => ({ ...spec, pathParams: { ...spec.pathParams }, query: [...spec.query], headers: { ...spec.headers }, body: spec.body ? { ...spec.body, json: clone(spec.body.json) } : undefined, notes: [] });
  if (spec.actor !== 'none') yield { ...copy(), actor: 'none' };
  if (spec.actor !== 'admin' && spec.actor !== 'none') yield { ...copy(), actor: 'admin' };
  for (const name of Object.keys(spec.pathParams)) {
    if (spec.pathParams[name] === 'x') continue;
    const c = copy();
    c.pathParams[name] = 'x';
    yield c;
  }
  for (const key of Object.keys(spec.headers)) {
    const c = copy();
    delete c.headers[key];
    yield c;
  }
  for (let i = 0; i < spec.query.length; i++) {
    const c = copy();
    c.query.splice(i, 1);
    yield c;
  }
  if (spec.body) {
    yield { ...copy(), body: undefined };
    if (spec.body.compress) yield { ...copy(), body: { ...copy().body!, compress: undefined, contentEncoding: undefined } };
    if (spec.body.kind === 'json') {
      yield { ...copy(), body: { ...copy().body!, json: {} } };
      const paths = pathsOf(spec.body.json).slice(1);
      const arrays = paths.filter((p) => Array.isArray(getAt(spec.body!.json, p)) && getAt(spec.body!.json, p).length > 1)
        .sort((a, b) => getAt(spec.body!.json, b).length - getAt(spec.body!.json, a).length);
      const withValue = (path: (string | number)[], value: unknown) => {
        const c = copy();
        c.body!.json = setAt(c.body!.json, path, value);
        return c;
      };
      // the biggest cuts first: halve long arrays, then keep one element
      for (const path of arrays) {
        const v = getAt(spec.body.json, path) as unknown[];
        if (v.length > 3) yield withValue(path, v.slice(0, Math.ceil(v.length / 2)));
      }
      for (const path of arrays) yield withValue(path, (getAt(spec.body.json, path) as unknown[]).slice(0, 1));
      for (const path of [...paths].reverse()) {
        const c = copy();
        c.body!.json = deleteAt(c.body!.json, path);
        yield c;
      }
      for (const path of paths) {
        const v = getAt(spec.body.json, path);
        if (typeof v === 'string' && v.length > 12) yield withValue(path, v.slice(0, 12));
      }
    }
  }
}

/** Greedy shrink: keep a simpler variant whenever it still fails the same way; at most `budget` tries and `timeMs`. */
export async function shrink(
  spec: RequestSpec,
  stillFails: (candidate: RequestSpec) => Promise<boolean>,
  budget = 60,
  timeMs = 15_000,
): Promise<RequestSpec> {
  const until = Date.now() + timeMs;
  let best = spec;
  let tries = 0;
  let improved = true;
  const rejected = new Set<string>();
  const keyOf = (c: RequestSpec) => toJsonText([c.actor, c.pathParams, c.query, c.headers, c.body ?? null]);
  while (improved && tries < budget && Date.now() < until) {
    improved = false;
    for (const candidate of simplifications(best)) {
      const key = keyOf(candidate);
      if (rejected.has(key)) continue;
      rejected.add(key);
      if (++tries > budget || Date.now() > until) break;
      if (await stillFails(candidate)) {
        best = { ...candidate, notes: spec.notes };
        improved = true;
        break;
      }
    }
  }
  return best;
}
