import { ingestCdrs } from '../../lib/domain/calls.js';
import { cdrSchema, parseCdrCsv } from '../../lib/domain/calls-cdr.js';
import { defineRestRoute, RestError, z } from '../../lib/v2/define-route.js';
import { importReportSchema } from '../../lib/v2/schemas.js';

const MAX_CDRS = 10_000;

export const handler = defineRestRoute({
  route: 'POST /billing/api/v2/calls/import',
  summary: 'Import CDRs (JSON array, or CSV with a header row of the same names; admin). Idempotent by uniqueid; charges prepaid users by user_price. Large batches: gzip the body and send it as Content-Type application/gzip (JSON or CSV inside), or with Content-Encoding gzip.',
  auth: 'bearer',
  roles: ['admin'],
  body: z.array(cdrSchema),
  parseBody: false,
  response: importReportSchema,
  async run({ rawBody, contentType }) {
    let rows: unknown;
    // A binary (gzipped) upload says nothing about its content: a JSON array starts with `[`, CSV with its header.
    const binary = /octet-stream|gzip/.test(contentType);
    if (contentType.includes('csv') || (binary && !rawBody.trimStart().startsWith('['))) rows = parseCdrCsv(rawBody);
    else {
      try {
        rows = JSON.parse(rawBody);
      } catch {
        throw new RestError(400, 'Body is not valid JSON');
      }
    }
    if (!Array.isArray(rows)) throw new RestError(400, 'Body must be a JSON array of CDRs or CSV');
    if (rows.length > MAX_CDRS) throw new RestError(400, `At most ${MAX_CDRS} CDRs per request`);
    return { body: await ingestCdrs(rows) };
  },
});
