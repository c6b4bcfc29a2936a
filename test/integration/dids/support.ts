/** Fixtures for the DID tests: providers (owned by another domain) and DIDs made through did_create. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { handler as didCreate } from '../../../functions/dids/did_create.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN } from '../../support/world.js';

let providerSeq = 100;
export async function makeProvider(userId = 0, options: { hidden?: boolean } = {}) {
  const id = ++providerSeq;
  await db.send(new PutCommand({ TableName: TABLE_NAME, Item: { PK: `PROVIDER#${id}`, SK: 'PROVIDER', id, userId, name: `Provider ${id}`, hidden: options.hidden ?? false } }));
  return id;
}

let didSeq = 37060000000;
export const nextNumber = () => String(++didSeq);

/** An admin DID through the API; returns its id and number. */
export async function makeDid(providerId: number, number = nextNumber()) {
  const answer = await callHandler(didCreate, { u: 'admin', provider_id: String(providerId), did: number }, { secret: ADMIN.secret });
  if (errorOf(answer.xml)) throw new Error(`did_create: ${errorOf(answer.xml)}`);
  return { id: Number(answer.xml.page.did_details.id), number };
}
