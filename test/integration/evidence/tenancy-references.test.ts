/**
 * Mixed ownership, generated from the method declarations. Resellers A and B each own a user with one
 * object of every kind (tenancy-world.ts). Every method that takes a parameter naming an object is called
 * by reseller B and by B's user with B's own objects in its parameters but one, which names A's object:
 * B's DID onto A's device, B's device forwarding to A's device, B's card topped up through A's group, B's
 * user subscribed to A's service, B's payment or service for owner A, a list of B's DIDs with one of A's,
 * and so on. Then:
 *   - every answer is MOR's XML with status 200, and none carries a text of A's objects (read leak);
 *   - every item of A's tenancy is exactly as before, and no listing of A's tenancy gained or lost an
 *     item (write leak);
 *   - no object of B's tenancy now refers to an object of A's (attach leak).
 */
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MorHandler } from '../../../lib/pipeline/define-method.js';
import { callHandler, errorOf } from '../../support/api.js';
import { loadMethodHandlers } from '../../support/handlers.js';
import { makeReseller, makeUser } from '../../support/world.js';
import {
  allowPaymentsAndRegistration, buildTenant, changes, itemsOf, paramSets, snapshot, type Tenant, type TenantIds,
} from './tenancy-world.js';

interface Caller { role: string; u: string; secret: string; p: string }
interface Answer { file: string; role: string; reference: string; status: number; body: string; error?: string }

/** Names of one parameter: when one names A's object, the others are left out so that it is the one read. */
const spellings = [
  ['forward_to_device', 'foward_to_device'], ['cc_group_id', 'cc_Group_id'], ['cardgroup_id', 'cardgroup'],
  ['dids_id', 'did_id'], ['device_id', 'device_u'], ['user_id', 'username'],
];

/** Parameters that take a list of objects, with their separator: a list may mix B's objects with A's. */
const lists: Record<string, string> = { dids: '\n', users: ',' };

/** Attributes of stored items that refer to another object, by the kind of object they name. */
const referenceAttributes: Record<string, keyof TenantIds> = {
  userId: 'users', ownerId: 'users', resellerId: 'users', partnerId: 'users', distributorId: 'users',
  deviceId: 'devices', didId: 'dids', did: 'didNumbers', groupId: 'groups', cardId: 'cards', cliId: 'clis',
  phonebookId: 'phonebooks', paymentId: 'payments', serviceId: 'services', subscriptionId: 'subscriptions',
  creditNoteId: 'creditNotes', invoiceId: 'invoices',
};
/** `…Id` attributes that are not references to a reseller's objects: the item's own id, objects only the admin owns here, texts. */
const otherIdAttributes = new Set([
  'id', 'providerId', 'tariffId', 'lcrId', 'dialplanId', 'locationId', 'devicegroupId', 'taxId', 'ivrId', 'emergencyCallerIdPoolId',
  'transactionId', 'allowEmptyCallerId', 'emergencyCallerId',
]);

/** Here the changing values keep B's objects usable: a DID is reserved (for A's user, when that is the reference), not terminated. */
const benignChanges = { ...changes, status: ['reserved', 'paid'] };

/** Texts of A's tenancy no answer to B may carry: A's users and the markers of A's objects. */
const markers: string[] = [];
const answers: Answer[] = [];
/** Every parameter value B sent: a text of A's that B itself wrote into its own objects is B's to read back. */
const sent = new Set<string>();
/** Method file → the reference parameters it was called with (pointing at A's object). */
const covered = new Map<string, string[]>();
let a: Tenant;
let b: Tenant;
let before: Map<string, unknown>;
let after: Map<string, unknown>;
let itemsOfB: Record<string, unknown>[] = [];

/**
 * The calls of a method for each of its reference parameters naming A's object (and no other spelling of it):
 * once with every other reference naming B's object, and once with each other reference alone naming B's
 * (so that a third parameter the caller may not use does not stop the call before the reference is read).
 */
function referenceCalls(handler: MorHandler): { reference: string; params: Record<string, string> }[] {
  const references = Object.keys(handler.declaration.params).filter((name) => name in a.pointing);
  if (references.length === 0) return [];
  const seen = new Set<string>();
  return references.flatMap((reference) => {
    const sameParameter = spellings.find((names) => names.includes(reference)) ?? [reference];
    const primaries = references.filter((name) => !sameParameter.includes(name));
    const tables = [primaries, ...primaries.map((name) => [name])].map((ownNames) => ({
      ...benignChanges,
      ...Object.fromEntries(ownNames.map((name) => [name, b.pointing[name]!])),
      [reference]: a.pointing[reference]!,
    }));
    return tables.flatMap((table) => paramSets(handler, table)).map((params) => ({ reference, params }))
      .filter(({ params }) => !seen.has(JSON.stringify(params)) && seen.add(JSON.stringify(params)));
  }).concat(references.filter((name) => name in lists).flatMap((name) =>
    paramSets(handler, { ...benignChanges, [name]: [[...b.pointing[name]!, ...a.pointing[name]!].join(lists[name])] })
      .map((params) => ({ reference: `${name} (B's and A's)`, params }))));
}

/** Every `path = value` of an item where a reference attribute holds one of A's ids (nested maps such as call flows included). */
function referencesToA(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((entry, i) => referencesToA(entry, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, inner]) => {
    const kind = referenceAttributes[name];
    if (kind && (a.ids[kind] as (number | string)[]).some((id) => String(id) === String(inner))) return [`${path}.${name} = ${String(inner)}`];
    return referencesToA(inner, `${path}.${name}`);
  });
}

/** `…Id` attribute names of the items that this check does not classify. */
function unclassifiedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(unclassifiedIds);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, inner]) => [
    ...(/Id$|^id$/.test(name) && !(name in referenceAttributes) && !otherIdAttributes.has(name) ? [name] : []),
    ...unclassifiedIds(inner),
  ]);
}

beforeAll(async () => {
  const handlers = await loadMethodHandlers();
  const resellerA = await makeReseller();
  const resellerB = await makeReseller();
  await allowPaymentsAndRegistration([0, resellerA.reseller.id, resellerB.reseller.id]);
  const victim = await makeUser('user', { ownerId: resellerA.reseller.id, email: `victim-${resellerA.reseller.id}@example.test`, firstName: 'VictimFirst', lastName: 'VictimLast' });
  markers.push(victim.username, victim.email, victim.uniquehash, 'VictimFirst', 'VictimLast', resellerA.reseller.username);
  a = await buildTenant(resellerA, victim, (what) => {
    markers.push(`Victim${what}${resellerA.reseller.id}`);
    return markers.at(-1)!;
  });
  b = await buildTenant(resellerB, resellerB.user, (what) => `Own${what}${resellerB.reseller.id}`);
  // A's other users are A's too.
  a.ids.users.push(resellerA.user.id);

  const callers: Caller[] = [
    { role: 'reseller B', u: resellerB.reseller.username, secret: resellerB.secret, p: resellerB.reseller.password },
    { role: "B's user", u: resellerB.user.username, secret: resellerB.secret, p: resellerB.user.password },
  ];
  // Methods that remove or stop things run last, so the others find B's objects in place.
  const removing = /delete|unassign|stop|release|bulk/;
  const ordered = [...handlers].sort((x, y) => Number(removing.test(x.file)) - Number(removing.test(y.file)));

  before = await snapshot(a.places);
  for (const { file, handler } of ordered) {
    for (const { reference, params } of referenceCalls(handler)) {
      covered.set(file, [...new Set([...(covered.get(file) ?? []), reference])]);
      for (const value of Object.values(params)) sent.add(value);
      for (const caller of callers) {
        const answer = await callHandler(handler, { ...params, u: caller.u, p: caller.p }, { secret: caller.secret });
        answers.push({ file, role: caller.role, reference, status: answer.status, body: answer.body, error: errorOf(answer.xml) });
        if (process.env.TENANCY_REFERENCES_TRACE) console.log(`${file} ${reference} as ${caller.role}: ${errorOf(answer.xml) ?? answer.body.slice(0, 160)}`);
      }
    }
  }
  after = await snapshot(a.places);
  itemsOfB = await itemsOf(b.places);
}, 600_000);

describe('mixed ownership: B\'s objects with a reference to A\'s', () => {
  it('reaches every method that names two or more objects, with each of its reference parameters', () => {
    expect(covered.size).toBeGreaterThan(20);
    expect(covered.get('dids/did_device_assign.ts')).toEqual(['device_id', 'did']);
    expect(covered.get('devices/device_callflow_update.ts')).toEqual(expect.arrayContaining(['forward_to_device', 'foward_to_device', 'fax_device', 'did_id']));
    expect(covered.get('subscriptions/subscription_create.ts')).toEqual(['user_id', 'service_id']);
    expect(covered.get('dids/dids_bulk_update.ts')).toEqual(['dids', "dids (B's and A's)"]);
  });

  it('reaches the reference checks: B\'s own object with A\'s answers as if A\'s were missing', () => {
    const errorsOf = (file: string, reference: string) =>
      answers.filter((answer) => answer.file === file && answer.reference === reference && answer.role === 'reseller B').map((answer) => answer.error);
    // B's free DID onto A's device, A's DID onto B's device.
    expect(errorsOf('dids/did_device_assign.ts', 'device_id')).toContain('Your are not authorized to use this Device');
    expect(errorsOf('dids/did_device_assign.ts', 'did')).toContain('Your are not authorized to use this DID');
    // B's DID reserved for A's user.
    expect(errorsOf('dids/did_details_update.ts', 'user_id')).toContain('User was not found');
    // B's device forwarding to A's device, detecting faxes on A's FAX, showing A's DID as caller ID.
    expect(errorsOf('devices/device_callflow_update.ts', 'forward_to_device')).toContain('Forward device was not found');
    expect(errorsOf('devices/device_callflow_update.ts', 'foward_to_device')).toContain('Forward device was not found');
    expect(errorsOf('devices/device_callflow_update.ts', 'fax_device')).toContain('Fax device was not found');
    expect(errorsOf('devices/device_callflow_update.ts', 'did_id')).toContain('DID was not found');
    // A's CLI on B's device: taken, without naming A's user.
    expect(errorsOf('devices/cli_add.ts', 'cli_number')).toContain("CLI already exists. It is assigned to another user's device");
    // B's user subscribed to A's service; A's user to B's service.
    expect(errorsOf('subscriptions/subscription_create.ts', 'service_id')).toContain('Service was not found');
    expect(errorsOf('subscriptions/subscription_create.ts', 'user_id')).toContain('User was not found');
    // B's card topped up through A's card group.
    expect(errorsOf('cards/card_by_cli_update.ts', 'cardgroup_id')).toContain('You do not have permission to access cardgroup');
    // B's card given A's card number, PIN or caller ID.
    expect(errorsOf('cards/calling_card_update.ts', 'number')).toContain('Number is already taken');
    expect(errorsOf('cards/calling_card_update.ts', 'pin')).toContain('PIN is already taken');
    expect(errorsOf('cards/calling_card_update.ts', 'callerid')).toContain('CallerID must be unique');
  });

  it('answers every call with MOR\'s XML and status 200', () => {
    expect(answers.filter((answer) => answer.status !== 200 || !answer.body.startsWith('<?xml'))
      .map(({ file, role, reference, status, body }) => `${file} (${reference} of A) as ${role}: ${status} ${body.slice(0, 80)}`)).toEqual([]);
  });

  it('shows none of A\'s objects', () => {
    const storedByB = JSON.stringify(itemsOfB);
    const copiedByB = (text: string) => sent.has(text) && storedByB.includes(text);
    const leaks = answers.flatMap(({ file, role, reference, body }) =>
      markers.filter((text) => body.includes(text) && !copiedByB(text)).map((text) =>
        `${file} (${reference} of A) as ${role} leaked ${text}: …${body.slice(Math.max(0, body.indexOf(text) - 120), body.indexOf(text) + 40)}…`));
    expect(leaks).toEqual([]);
  });

  it('changes, adds or removes nothing of A\'s tenancy', () => {
    for (const partition of a.objectPartitions) expect([...before.keys()].some((key) => key.startsWith(`${partition} `)), partition).toBe(true);
    const changed = [...new Set([...before.keys(), ...after.keys()])]
      .filter((key) => !isDeepStrictEqual(before.get(key), after.get(key)))
      .map((key) => `${key}: ${JSON.stringify(before.get(key))} → ${JSON.stringify(after.get(key))}`);
    expect(changed).toEqual([]);
  });

  it('leaves no object of B referring to an object of A', () => {
    expect(itemsOfB.length).toBeGreaterThan(20);
    expect([...new Set(itemsOfB.flatMap(unclassifiedIds))]).toEqual([]);
    expect(itemsOfB.flatMap((item) => referencesToA(item, `${item.PK}|${item.SK}`))).toEqual([]);
    // Nor holds a text of A's that B did not send itself.
    const storedByB = JSON.stringify(itemsOfB);
    expect(markers.filter((text) => storedByB.includes(text) && !sent.has(text))).toEqual([]);
  });
});
