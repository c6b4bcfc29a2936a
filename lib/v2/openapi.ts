/** The OpenAPI 3.1 document of the v2 endpoints, generated from the zod schemas their handlers validate with. */
import * as z from 'zod/mini';
import type { RestHandler } from './define-route.js';
import { errorSchema } from './schemas.js';

const schemaOf = (schema: z.ZodMiniType, io: 'input' | 'output') => {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
};

const ERROR_RESPONSE = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function operation(handler: RestHandler) {
  const d = handler.declaration;
  const [method] = d.route.split(' ');
  const query = d.query ? (schemaOf(d.query, 'input') as { properties?: Record<string, object>; required?: string[] }) : undefined;
  return {
    method: method!.toLowerCase(),
    path: d.route.split(' ')[1]!,
    operation: {
      summary: d.summary,
      ...(d.auth === 'bearer' ? { security: [{ bearerAuth: [] }] } : d.auth === 'basic' ? { security: [{ basicAuth: [] }] } : { security: [] }),
      ...(query?.properties
        ? {
            parameters: Object.entries(query.properties).map(([name, schema]) => ({
              name, in: 'query', required: query.required?.includes(name) ?? false, schema,
            })),
          }
        : {}),
      ...(d.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: schemaOf(d.body, 'input') },
                ...(d.parseBody === false ? { 'text/csv': { schema: { type: 'string' } } } : {}),
              },
            },
          }
        : {}),
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: d.response ? schemaOf(d.response, 'output') : {} } } },
        400: ERROR_RESPONSE('Invalid request'),
        ...(d.auth !== 'none' ? { 401: ERROR_RESPONSE('Missing, invalid or expired credentials') } : {}),
        403: ERROR_RESPONSE('Not allowed for this user'),
      },
    },
  };
}

export function openApiDocument(handlers: readonly RestHandler[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const handler of handlers) {
    const { method, path, operation: op } = operation(handler);
    (paths[path] ??= {})[method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'MOR REST API v2 (morless)', version: '2.0.0' },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic' },
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
      schemas: { Error: schemaOf(errorSchema, 'output') },
    },
  };
}
