/**
 * Role × owner matrix, generated from the method declarations. Reseller A owns a victim user with a
 * device, a DID on that device, a CLI, a phonebook record, a payment, a subscription to A's service, a
 * credit note and an invoice, and A's card group holds a card. Every method is called by four callers
 * outside the victim's tenancy with every parameter MOR uses to name one of those objects pointing at it,
 * plus plausible values for the parameters that change things. Then:
 *   - no answer may carry a text that identifies the victim or one of A's objects (read leak);
 *   - every item of A's tenancy must be exactly as before, and no listing of A's tenancy may have
 *     gained or lost an item (write leak).
 * Domain suites test the denial texts of their objects one by one.
 */
import { isDeepStrictEqual } from 'node:util';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MorHandler } from '../../../lib/pipeline/define-method.js';
import { handler as cliAdd } from '../../../functions/devices/cli_add.js';
import { handler as callingCardUpdate } from '../../../functions/cards/calling_card_update.js';
import { handler as creditNoteCreate } from '../../../functions/credit_notes/credit_note_create.js';
import { handler as deviceCreate } from '../../../functions/devices/device_create.js';
import { handler as didDetailsUpdate } from '../../../functions/dids/did_details_update.js';
import { handler as didDeviceAssign } from '../../../functions/dids/did_device_assign.js';
import { handler as paymentCreate } from '../../../functions/payments/payment_create.js';
import { handler as phonebookRecordCreate } from '../../../functions/phonebooks/phonebook_record_create.js';
import { handler as serviceCreate } from '../../../functions/services/service_create.js';
import { handler as subscriptionCreate } from '../../../functions/subscriptions/subscription_create.js';
import { db, TABLE_NAME } from '../../../lib/db/client.js';
import { keys } from '../../../lib/db/keys.js';
import { callbackKeys } from '../../../lib/domain/callback.js';
import { cardByNumber, cardKeys } from '../../../lib/domain/cards.js';
import { cliKeys, findCli } from '../../../lib/domain/clis.js';
import { creditNoteKeys, creditNotesOfUser } from '../../../lib/domain/credit-notes.js';
import { deviceKeys, getDevice } from '../../../lib/domain/devices.js';
import { didKeys } from '../../../lib/domain/dids.js';
import { createInvoice, invoiceKeys } from '../../../lib/domain/invoices.js';
import { ipAllowKeys } from '../../../lib/domain/ip-allowlist.js';
import { updateSettings } from '../../../lib/domain/settings.js';
import { smsKeys } from '../../../lib/domain/messaging.js';
import { paymentKeys } from '../../../lib/domain/payments.js';
import { phonebookKeys, phonebookOf } from '../../../lib/domain/phonebooks.js';
import { quickforwardKeys } from '../../../lib/domain/quickforwards.js';
import { serviceKeys } from '../../../lib/domain/services.js';
import { listSubscriptions, subscriptionKeys } from '../../../lib/domain/subscriptions.js';
import { warningKeys } from '../../../lib/domain/warning-balance.js';
import { callHandler, errorOf } from '../../support/api.js';
import { createCards, createGroup } from '../cards/helpers.js';
import { makeDid, makeProvider } from '../dids/support.js';
import { loadMethodHandlers } from '../../support/handlers.js';
import { ADMIN, makeReseller, makeUser, type TestUser } from '../../support/world.js';

interface Outsider { role: string; u: string; secret: string; p: string }
interface Marker { text: string; visibleTo: string[] }
interface Answer { file: string; role: string; status: number; body: string }

/** A place of A's tenancy to compare before and after: a whole partition (every attribute of every item) or an index listing (which items it holds). */
type Place = { partition: string } | { index: string; listing: Record<string, string> };

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

/** Fails the setup at once when a fixture call answers an error. */
async function must(handler: MorHandler, params: Record<string, string>, secret: string) {
  const answer = await callHandler(handler, params, { secret });
  if (errorOf(answer.xml)) throw new Error(`${handler.declaration.method}: ${errorOf(answer.xml)}`);
  return answer;
}

/** Every parameter name MOR uses to point at one of A's objects, with its values (a name shared by several objects has one value per object). */
let pointing: Record<string, string[]> = {};

/** Values for the parameters that change things, chosen to pass validation so the call reaches the tenancy check. */
const changes: Record<string, string[]> = {
  balance: ['5'], amount: ['5'], price: ['5'], credit: ['100'], fee: ['1'], p_currency: ['USD'],
  status: ['terminated', 'paid'], new_status: ['terminated'], bulk_action: ['change', 'delete'], confirm: ['1'],
  description: ['pwned'], comment: ['pwned'], reseller_comment: ['pwned'], cli_description: ['pwned'], comments_for_user: ['pwned'],
  name: ['pwned'], service_name: ['pwned'], new_service_name: ['pwned'], new_service_type: ['one_time_fee'], message: ['pwned'], subscription_memo: ['pwned'], callerid_name: ['pwned'],
  password: ['Pwn3dPass!'], pswd: ['Pwn3dPass!'], password2: ['Pwn3dPass!'],
  block: ['true'], enabled: ['1'], method: ['email'], hidden: ['1'],
  state: ['before_call'], callflow_action: ['forward'], external_number: ['37099999999'], forward_to: ['37099999999'],
  subscription_delete_action: ['1'], quantity: ['1'], speeddial: ['77'], call_limit: ['9'], timeout: ['9'],
  cards_from: ['9000000001'], cards_till: ['9000000002'], issue_date: ['1735689600'], ip: ['203.0.113.9'], reason: ['pwned'],
};

/** The calls of one method: one per value of its most ambiguous declared parameter, each carrying every pointing and changing parameter. */
function paramSets(handler: MorHandler): Record<string, string>[] {
  const table = { ...changes, ...pointing };
  const declared = Object.keys(handler.declaration.params);
  const count = Math.max(1, ...declared.map((name) => table[name]?.length ?? 1));
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(Object.entries(table).map(([name, values]) => [name, values[i % values.length]!])));
}

async function queryAll(place: Place): Promise<Record<string, unknown>[]> {
  const [attribute, value] = 'partition' in place ? ['PK', place.partition] : Object.entries(place.listing)[0]!;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({
      TableName: TABLE_NAME,
      ...('index' in place ? { IndexName: place.index } : { ConsistentRead: true }),
      KeyConditionExpression: '#k = :v',
      ExpressionAttributeNames: { '#k': attribute },
      ExpressionAttributeValues: { ':v': value },
      ExclusiveStartKey: start,
    }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of every place, keyed by place and item key: full items for partitions, presence only for listings. */
async function snapshot(): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const place of places) {
    const name = 'partition' in place ? place.partition : `${place.index} ${Object.values(place.listing)[0]}`;
    for (const item of await queryAll(place)) out.set(`${name} ${item.PK}|${item.SK}`, 'partition' in place ? item : 'present');
  }
  return out;
}

beforeAll(async () => {
  const handlers = await loadMethodHandlers();
  methodCount = handlers.length;
  const a = await makeReseller();
  const b = await makeReseller();
  // Payments and registration through the API are off by default; on, their methods reach their tenancy checks.
  for (const owner of [0, a.reseller.id, b.reseller.id]) await updateSettings(owner, { API_Allow_payments_ower_API: '1', API_Allow_registration_ower_API: '1' });
  const asA = { u: a.reseller.username };
  const tag = String(a.reseller.id);
  victim = await makeUser('user', { ownerId: a.reseller.id, email: `victim-${tag}@example.test`, firstName: 'VictimFirst', balanceMicros: 50_000_000 });
  victimTexts = [victim.username, victim.email, victim.uniquehash, 'VictimFirst'];
  const sibling = await makeUser('user', { ownerId: a.reseller.id });
  const marker = (what: string, visibleTo: string[] = []) => {
    const text = `Victim${what}${tag}`;
    markers.push({ text, visibleTo });
    return text;
  };

  const deviceId = Number((await must(deviceCreate, { ...asA, user_id: String(victim.id), type: 'SIP', description: marker('Device') }, a.secret)).xml.page.id);
  const device = (await getDevice(deviceId))!;

  // An admin DID handed to A, described by A and assigned to the victim's device.
  const did = await makeDid(await makeProvider());
  await must(didDetailsUpdate, { u: 'admin', did_id: String(did.id), reseller_id: tag }, ADMIN.secret);
  await must(didDetailsUpdate, { ...asA, did_id: String(did.id), reseller_comment: marker('Did') }, a.secret);
  await must(didDeviceAssign, { ...asA, device_id: String(deviceId), did: did.number }, a.secret);

  // The card group is A's shop, which A's users may read; its cards are not.
  const groupId = await createGroup({ ...asA, secret: a.secret }, { name: marker('Group', ["A's other user"]) });
  const cardNumber = `8${tag.padStart(9, '0')}`;
  expect(await createCards({ ...asA, secret: a.secret }, groupId, cardNumber, cardNumber)).toBe('Cards created: 1/1');
  const cardCli = `3707${tag.padStart(7, '0')}`;
  const cardId = (await cardByNumber(cardNumber))!.id;
  await must(callingCardUpdate, { ...asA, card_id: String(cardId), name: marker('Card'), callerid: cardCli }, a.secret);
  const card = (await cardByNumber(cardNumber))!;

  const cliNumber = `3708${tag.padStart(7, '0')}`;
  await must(cliAdd, { ...asA, device_id: String(deviceId), cli_number: cliNumber, cli_description: marker('Cli') }, a.secret);
  const cli = (await findCli(cliNumber))!;

  const phonebookNumber = `3709${tag.padStart(7, '0')}`;
  await must(phonebookRecordCreate, { u: victim.username, user_id: String(victim.id), number: phonebookNumber, name: marker('Phonebook'), speeddial: '11' }, a.secret);
  const phonebook = (await phonebookOf(victim.id))[0]!;

  const transaction = marker('Payment');
  await must(paymentCreate, { ...asA, user_id: String(victim.id), p_currency: 'USD', amount: '3', transaction, comments_for_user: transaction }, a.secret);
  const paymentId = Number((await queryAll({ index: 'GSI1', listing: { GSI1PK: paymentKeys.byUser(victim.id) } }))[0]!.id);

  const service = await must(serviceCreate, { ...asA, new_service_name: marker('Service'), new_service_type: 'one_time_fee', service_sell_price: '1' }, a.secret);
  const serviceId = Number(service.xml.page.status.service.id);
  await must(subscriptionCreate, { ...asA, user_id: String(victim.id), service_id: String(serviceId), subscription_memo: marker('Subscription') }, a.secret);
  const subscriptionId = (await listSubscriptions({ userId: victim.id }))[0]!.id;

  await must(creditNoteCreate, { ...asA, user_id: String(victim.id), number: marker('CreditNote'), price: '2', issue_date: '1735689600', comment: marker('CreditComment') }, a.secret);
  const creditNoteId = (await creditNotesOfUser(victim.id))[0]!.id;
  const month = new Date().toISOString().slice(0, 7);
  const invoice = await createInvoice({ user: victim, number: marker('Invoice'), periodStart: `${month}-01`, periodEnd: `${month}-28`, products: [{ name: marker('InvoiceLine'), priceMicros: 4_000_000n }] });

  const victimId = String(victim.id);
  pointing = {
    // the victim user, and reseller A
    user_id: [victimId], s_user: [victimId], s_user_id: [victimId], users_id: [victimId], users: [victimId],
    email_to_user_id: [victimId], search_user: [victimId], username: [victim.username], s_username: [victim.username],
    id: [victim.uniquehash, String(groupId)],
    owner_id: [tag, victimId], new_owner_id: [tag], reseller_id: [tag], s_reseller: [tag], search_did_owner: [tag],
    // the device
    device_id: [String(deviceId)], device: [String(deviceId)], devices_id: [String(deviceId)], s_device: [String(deviceId)],
    search_device: [String(deviceId)], forward_to_device: [String(deviceId)], foward_to_device: [String(deviceId)],
    fax_device: [String(deviceId)], device_u: [device.username],
    // the DID
    did_id: [String(did.id)], dids_id: [String(did.id)], did: [did.number], dids: [did.number], s_did: [did.number], search_did_number: [did.number],
    // the card group and its card (`number` also names a phonebook record's number)
    cc_group_id: [String(groupId)], cc_Group_id: [String(groupId)], card_group_id: [String(groupId)], cardgroup_id: [String(groupId)],
    card_id: [String(cardId)], number: [cardNumber, phonebookNumber], s_number: [cardNumber], pin: [card.pin], s_pin: [card.pin], callerid: [cardCli],
    // the CLI, phonebook record, payment, service, subscription and credit note
    cli: [cliNumber], cli_number: [cliNumber], phonebook_id: [String(phonebook.id)], s_transaction: [transaction],
    service_id: [String(serviceId)], subscription_id: [String(subscriptionId)], credit_note_id: [String(creditNoteId)],
  };

  const objectPartitions = [
    keys.user(victim.id), keys.user(a.reseller.id), keys.settings(a.reseller.id),
    deviceKeys.device(deviceId), didKeys.did(did.id), cardKeys.group(groupId), cardKeys.card(cardId), cliKeys.cli(cli.id),
    phonebookKeys.record(phonebook.id), paymentKeys.item(paymentId), serviceKeys.item(serviceId), subscriptionKeys.item(subscriptionId),
    creditNoteKeys.item(creditNoteId), invoiceKeys.item(invoice.id),
  ].map((key) => key.PK);
  const otherPartitions = [
    keys.settings(victim.id), smsKeys.subscription(victim.id), warningKeys.item(victim.id),
    quickforwardKeys.forward(victim.id, did.number), { PK: ipAllowKeys.partition(a.reseller.id) }, { PK: ipAllowKeys.partition(victim.id) },
  ].map((key) => key.PK);
  const listings: Place[] = [
    { index: 'GSI2', listing: keys.userByOwner(a.reseller.id, 0) },
    { index: 'GSI2', listing: deviceKeys.byUser(victim.id, 0) },
    { index: 'GSI3', listing: didKeys.byUser(victim.id, '', 0) },
    { index: 'GSI2', listing: didKeys.byReseller(a.reseller.id, '', 0) },
    { index: 'GSI1', listing: cardKeys.groupByOwner(a.reseller.id, 0) },
    { index: 'GSI1', listing: cardKeys.cardInGroup(groupId, '') },
    { index: 'GSI2', listing: cliKeys.byDevice(deviceId, 0) },
    { index: 'GSI3', listing: cliKeys.byUser(victim.id, 0) },
    { index: 'GSI1', listing: phonebookKeys.byUser(victim.id, 0) },
    { index: 'GSI1', listing: { GSI1PK: paymentKeys.byUser(victim.id) } },
    { index: 'GSI1', listing: serviceKeys.byOwner(a.reseller.id, 0) },
    { index: 'GSI1', listing: subscriptionKeys.byUser(victim.id, 0) },
    { index: 'GSI1', listing: creditNoteKeys.byUser(victim.id, 0) },
    { index: 'GSI1', listing: invoiceKeys.byUser(victim.id, '', 0) },
    { index: 'GSI1', listing: callbackKeys.byUser(victim.id, '', '') },
    { index: 'GSI1', listing: smsKeys.messageOfUser(victim.id, '', 0) },
  ].map(({ index, listing }) => ({ index, listing: Object.fromEntries(Object.entries(listing).filter(([name]) => name.endsWith('PK'))) }));
  objectsOfA = objectPartitions;
  places = [...[...objectPartitions, ...otherPartitions].map((partition) => ({ partition })), ...listings];

  outsiders.push(
    { role: 'reseller B', u: b.reseller.username, secret: b.secret, p: b.reseller.password },
    { role: "B's user", u: b.user.username, secret: b.secret, p: b.user.password },
    { role: "A's other user", u: sibling.username, secret: a.secret, p: sibling.password },
    { role: 'accountant without rights', ...(await makeUser('accountant').then((x) => ({ u: x.username, p: x.password }))), secret: ADMIN.secret },
  );

  before = await snapshot();
  for (const { file, handler } of handlers) {
    for (const caller of outsiders) {
      for (const params of paramSets(handler)) {
        const answer = await callHandler(handler, { ...params, u: caller.u, p: caller.p }, { secret: caller.secret });
        answers.push({ file, role: caller.role, status: answer.status, body: answer.body });
      }
    }
  }
  after = await snapshot();
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
