/**
 * The OpenAPI 3.1 document, generated from the route registry and the very zod
 * schemas that validate requests (zod 4's JSON Schema output is draft 2020-12,
 * which is OpenAPI 3.1's schema dialect). Nothing here is written by hand per
 * route, so the document cannot drift from what the app serves.
 */
import { z } from 'zod';
import type { RouteSpec } from './http/route';

type Json = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';
const JSON_SCHEMA_OPTIONS = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;

const COMMON_ERRORS: Record<number, string> = {
  400: 'malformed request; `errors` names each bad field',
  401: 'no valid bearer token',
  403: 'the token may not do this',
  404: 'not found',
  409: 'conflicts with the current state (already exists, wrong state, item closed)',
  413: 'the body is larger than this route takes',
  415: 'the body is encoded (Content-Encoding other than identity)',
  422: 'breaks a business rule',
  429: 'too many changes from this caller; retry after Retry-After seconds',
  500: 'unexpected error; quote the request id',
  503: 'Temporal or PostgreSQL unreachable; retry after Retry-After seconds',
};

/** A schema as a $ref when it is a named component, else inline with its named parts pointing at components. */
function schemaOf(schema: z.ZodType): Json {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `${COMPONENT_PREFIX}${id}` };
  const { $schema: _s, $defs: _d, ...inline } = JSON.parse(
    JSON.stringify(z.toJSONSchema(schema, JSON_SCHEMA_OPTIONS)).replaceAll('"#/$defs/', `"${COMPONENT_PREFIX}`),
  ) as Json;
  return inline;
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): Json[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const { description, ...fieldSchema } = schemaOf(field);
    const required = location === 'path' || !field.safeParse(undefined).success;
    return { name, in: location, required, ...(description ? { description } : {}), schema: fieldSchema };
  });
}

function operationOf(route: RouteSpec): Json {
  const secured = route.roles !== 'public';
  const parameters = [
    ...parametersOf(route.params, 'path'),
    ...parametersOf(route.query, 'query'),
    ...(route.idempotent ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
    ...(route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: h.required, description: h.description, schema: { type: 'string' } })),
    { $ref: '#/components/parameters/RequestId' },
  ];
  const ok = route.response;
  const content = ok.schema
    ? { [ok.contentType ?? 'application/json']: { schema: schemaOf(ok.schema) } }
    : { [ok.contentType ?? 'application/json']: {} };
  // any request may carry a bad %-escape, an encoded or oversized body: every route can answer 400, 413, 415
  const writes = route.method !== 'get' && secured ? [429] : [];
  const errorStatuses = [...new Set([400, 413, 415, ...(secured ? [401, 403] : []), ...writes, ...(route.errors ?? []), 500, 503])].sort();
  const responses: Json = { [String(ok.status)]: { description: ok.description, content } };
  for (const also of route.alsoAnswers ?? []) {
    responses[String(also.status)] = { description: also.description, content: { 'application/json': also.schema ? { schema: schemaOf(also.schema) } : {} } };
  }
  for (const status of errorStatuses) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };
  const roles = secured ? `\n\nRoles: ${(route.roles as readonly string[]).join(', ')}.` : '';
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `${route.description ?? route.summary}${roles}`,
    tags: [route.tag],
    security: secured ? [{ bearerAuth: [] }] : [],
    parameters,
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body) } } } } : {}),
    ...(route.fileBody
      ? { requestBody: { required: true, content: Object.fromEntries(route.fileBody.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) } }
      : {}),
    responses,
  };
}

export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApiDocument(routes: RouteSpec[]): Json {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { ...JSON_SCHEMA_OPTIONS, uri: (id) => `${COMPONENT_PREFIX}${id}` });
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...(paths[path] ?? {}), [route.method]: operationOf(route) };
  }
  const problemResponses = Object.fromEntries(
    Object.entries(COMMON_ERRORS).map(([status, description]) => [
      `Problem${status}`,
      {
        description,
        ...(status === '503' || status === '429' ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'seconds' } } } : {}),
        content: { 'application/problem+json': { schema: { $ref: `${COMPONENT_PREFIX}ProblemDetails` } } },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rectification engine API',
      version: '0.1.0',
      description: 'Supervision and rectification work (督查督办 / 整改): plans, items, tasks, records, units.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, stripMeta(s as Json)])),
      responses: problemResponses,
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 },
          description: 'the request id of the change; a retry with the same key is applied once (a uuid is generated when absent)',
        },
        RequestId: {
          name: 'X-Request-Id', in: 'header', required: false, schema: { type: 'string', maxLength: 200 },
          description: 'echoed back and logged; generated when absent',
        },
      },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

function stripMeta(schema: Json): Json {
  const { $schema: _s, $id: _i, id: _id, ...rest } = schema;
  return rest;
}
