// Loads a CSV file of CDRs into the local table (the same validation, idempotency and prepaid
// charging as POST /billing/api/v2/calls/import). Header row: the CDR field names of
// docs/compat/calls.md (uniqueid, calldate, user_id, src, dst, billsec, user_price, ...).
//
//   DYNAMODB_ENDPOINT=http://localhost:8000 TABLE_NAME=morless-local \
//     node --import tsx scripts/load-cdrs.ts cdrs.csv [--batch 10000]
//
// Prints one JSON line per batch and a total; exit status 1 when any row was rejected.
import { readFileSync } from 'node:fs';
import { parseCdrCsv } from '../lib/domain/calls-cdr.js';
import { ingestCdrs } from '../lib/domain/calls.js';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --import tsx scripts/load-cdrs.ts <file.csv> [--batch N]');
  process.exit(2);
}
const endpoint = process.env.DYNAMODB_ENDPOINT ?? '';
if (!/^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+\/?$/.test(endpoint)) {
  console.error(`load-cdrs: refusing to run without a local DYNAMODB_ENDPOINT (got "${endpoint}")`);
  process.exit(2);
}
const batchFlag = rest.indexOf('--batch');
const batchSize = batchFlag >= 0 ? Number(rest[batchFlag + 1]) : 10_000;

const rows = parseCdrCsv(readFileSync(file, 'utf8'));
const total = { imported: 0, duplicates: 0, rejected: 0 };
const started = Date.now();
for (let offset = 0; offset < rows.length; offset += batchSize) {
  const report = await ingestCdrs(rows.slice(offset, offset + batchSize));
  total.imported += report.imported;
  total.duplicates += report.duplicates;
  total.rejected += report.errors.length;
  for (const error of report.errors) console.error(JSON.stringify({ row: offset + error.index + 2, uniqueid: error.uniqueid, error: error.error }));
  console.log(JSON.stringify({ rows: `${offset + 1}-${Math.min(offset + batchSize, rows.length)}`, ...report, errors: report.errors.length }));
}
const seconds = (Date.now() - started) / 1000;
console.log(JSON.stringify({ ...total, seconds, perSecond: Math.round(rows.length / Math.max(seconds, 0.001)) }));
process.exit(total.rejected ? 1 : 0);
