// Seeds the admin user and its API settings (idempotent). Run with DYNAMODB_ENDPOINT / TABLE_NAME set:
//   MOR_ADMIN_PASSWORD=... MOR_API_SECRET=... node --import tsx scripts/seed.ts
// Prints one JSON line: { adminUsername, adminUniquehash, apiSecret }.
import { bootstrapSystem } from '../lib/domain/bootstrap.js';

const adminPassword = process.env.MOR_ADMIN_PASSWORD;
const apiSecret = process.env.MOR_API_SECRET;
if (!adminPassword || !apiSecret) {
  console.error('seed: MOR_ADMIN_PASSWORD and MOR_API_SECRET must be set');
  process.exit(2);
}

const result = await bootstrapSystem({ adminPassword, apiSecret });
console.log(JSON.stringify(result));
