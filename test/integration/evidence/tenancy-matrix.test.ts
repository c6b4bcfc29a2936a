/**
 * Role × owner matrix, generated from the method declarations. Reseller A owns a victim user with two
 * devices, a DID on the first and a free DID, a CLI, a phonebook record, a payment, a subscription to A's service, a
 * credit note and an invoice, and A's card group holds a card. Every method is called by four callers
 * outside the victim's tenancy with every parameter MOR uses to name one of those objects pointing at it,
 * plus plausible values for the parameters that change things. Then:
 *   - no answer may carry a text that identifies the victim or one of A's objects (read leak);
 *   - every item of A's tenancy must be exactly as before, and no listing of A's tenancy may have
 *     gained or lost an item (write leak).
 * Domain suites test the denial texts of their objects one by one.
 */
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { callHandler } from '../../support/api.js';
import { loadMethodHandlers } from '../../support/handlers.js';
import { ADMIN, makeReseller, makeUser, type TestUser } from '../../support/world.js';
import { allowPaymentsAndRegistration, buildTenant, changes, paramSets, snapshot, type Place } from './tenancy-world.js';

interface Outsider { role: string; u: string; secret: string; p: string }
interface Marker { text: string; visibleTo: string[] }
interface Answer { file: string; role: string; status: number; body: string }

const outsiders: Outsider[] = [];
const markers: Marker[] = [];
const answers: Answer[] = [];
let methodCount = 0;
let victim: TestUser;
let victimTexts: string[] = [];
let places: Place[] = [];
/** The partitions of the objects created for the victim (each must hold its item). */
let objectsOfA: string[] = [];
let before: Map<string, unknown>;
let after: Map<string, unknown>;

beforeAll(async () => {
  const handlers = await loadMethodHandlers();
  methodCount = handlers.length;
  const a = await makeReseller();
  const b = await makeReseller();
  await allowPaymentsAndRegistration([0, a.reseller.id, b.reseller.id]);
  const tag = String(a.reseller.id);
  victim = await makeUser('user', { ownerId: a.reseller.id, email: `victim-${tag}@example.test`, firstName: 'VictimFirst', balanceMicros: 50_000_000 });
  victimTexts = [victim.username, victim.email, victim.uniquehash, 'VictimFirst'];
  const sibling = await makeUser('user', { ownerId: a.reseller.id });
  const marker = (what: string, visibleTo: string[] = []) => {
    const text = `Victim${what}${tag}`;
    markers.push({ text, visibleTo });
    return text;
  };
  const tenancyOfA = await buildTenant(a, victim, marker);
  objectsOfA = tenancyOfA.objectPartitions;
  places = tenancyOfA.places;
  const table = { ...changes, ...tenancyOfA.pointing };

  outsiders.push(
    { role: 'reseller B', u: b.reseller.username, secret: b.secret, p: b.reseller.password },
    { role: "B's user", u: b.user.username, secret: b.secret, p: b.user.password },
    { role: "A's other user", u: sibling.username, secret: a.secret, p: sibling.password },
    { role: 'accountant without rights', ...(await makeUser('accountant').then((x) => ({ u: x.username, p: x.password }))), secret: ADMIN.secret },
  );

  before = await snapshot(places);
  for (const { file, handler } of handlers) {
    for (const caller of outsiders) {
      for (const params of paramSets(handler, table)) {
        const answer = await callHandler(handler, { ...params, u: caller.u, p: caller.p }, { secret: caller.secret });
        answers.push({ file, role: caller.role, status: answer.status, body: answer.body });
      }
    }
  }
  after = await snapshot(places);
}, 600_000);

describe('role × owner matrix', () => {
  it('every outsider gets the method\'s normal answer', () => {
    expect(answers.length).toBeGreaterThanOrEqual(methodCount * outsiders.length);
    expect(answers.filter((answer) => answer.status !== 200).map(({ file, role, status }) => `${file} as ${role}: ${status}`)).toEqual([]);
  });

  it('no caller outside the tenancy sees the victim or one of A\'s objects through any method', () => {
    const leaks: string[] = [];
    for (const { file, role, body } of answers) {
      for (const text of victimTexts) if (body.includes(text)) leaks.push(`${file} as ${role} leaked ${text}`);
      for (const { text, visibleTo } of markers) if (!visibleTo.includes(role) && body.includes(text)) leaks.push(`${file} as ${role} leaked ${text}`);
    }
    expect(leaks).toEqual([]);
  });

  it('no caller outside the tenancy changes, adds or removes anything of A\'s tenancy through any method', () => {
    for (const partition of objectsOfA) expect([...before.keys()].some((key) => key.startsWith(`${partition} `)), partition).toBe(true);
    const changed = [...new Set([...before.keys(), ...after.keys()])]
      .filter((key) => !isDeepStrictEqual(before.get(key), after.get(key)))
      .map((key) => `${key}: ${JSON.stringify(before.get(key))} → ${JSON.stringify(after.get(key))}`);
    expect(changed).toEqual([]);
  });
});
