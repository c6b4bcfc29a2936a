/**
 * The tenancy evidence's world: a reseller's tenancy holding one object of every kind, the parameter
 * values that name those objects, and the places (partitions and index listings) that hold them, read
 * before and after a run of calls to prove nothing of the tenancy changed. Shared by the role × owner
 * matrix (tenancy-matrix.test.ts) and the mixed-ownership references (tenancy-references.test.ts).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
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
import { smsKeys } from '../../../lib/domain/messaging.js';
import { paymentKeys } from '../../../lib/domain/payments.js';
import { phonebookKeys, phonebookOf } from '../../../lib/domain/phonebooks.js';
import { quickforwardKeys } from '../../../lib/domain/quickforwards.js';
import { serviceKeys } from '../../../lib/domain/services.js';
import { updateSettings } from '../../../lib/domain/settings.js';
import { listSubscriptions, subscriptionKeys } from '../../../lib/domain/subscriptions.js';
import { warningKeys } from '../../../lib/domain/warning-balance.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, type TestUser } from '../../support/world.js';
import { createCards, createGroup } from '../cards/helpers.js';
import { makeDid, makeProvider } from '../dids/support.js';

/** A place of a tenancy to compare before and after: a whole partition (every attribute of every item) or an index listing (which items it holds). */
export type Place = { partition: string } | { index: string; listing: Record<string, string> };

/** Names a text of a tenancy's objects (descriptions, comments...); `visibleTo` lists the outsider roles allowed to see it. */
export type MarkerMaker = (what: string, visibleTo?: string[]) => string;

/** The ids of a tenancy's objects, by kind. */
export interface TenantIds {
  users: number[]; devices: number[]; dids: number[]; didNumbers: string[]; groups: number[]; cards: number[]; clis: number[];
  phonebooks: number[]; payments: number[]; services: number[]; subscriptions: number[]; creditNotes: number[]; invoices: number[];
}

export interface Tenant {
  reseller: TestUser;
  secret: string;
  /** The reseller's user that owns the tenancy's user-level objects. */
  user: TestUser;
  ids: TenantIds;
  /** Every parameter name MOR uses to point at one of the tenancy's objects, with its values (a name shared by several objects has one value per object). */
  pointing: Record<string, string[]>;
  /** The partitions of the tenancy's objects (each must hold its item). */
  objectPartitions: string[];
  /** Every place of the tenancy: object partitions, the users' other partitions, and the tenancy's listings. */
  places: Place[];
}

/** Fails the setup at once when a fixture call answers an error. */
export async function must(handler: MorHandler, params: Record<string, string>, secret: string) {
  const answer = await callHandler(handler, params, { secret });
  if (errorOf(answer.xml)) throw new Error(`${handler.declaration.method}: ${errorOf(answer.xml)}`);
  return answer;
}

/** Payments and registration through the API are off by default; on, their methods reach their tenancy checks. */
export async function allowPaymentsAndRegistration(ownerIds: number[]) {
  for (const owner of ownerIds) await updateSettings(owner, { API_Allow_payments_ower_API: '1', API_Allow_registration_ower_API: '1' });
}

/** Values for the parameters that change things, chosen to pass validation so the call reaches the tenancy check. */
export const changes: Record<string, string[]> = {
  balance: ['5'], amount: ['5'], price: ['5'], credit: ['100'], fee: ['1'], p_currency: ['USD'],
  status: ['terminated', 'paid'], new_status: ['terminated'], bulk_action: ['change', 'delete'], confirm: ['1'],
  description: ['pwned'], comment: ['pwned'], reseller_comment: ['pwned'], cli_description: ['pwned'], comments_for_user: ['pwned'],
  name: ['pwned'], service_name: ['pwned'], new_service_name: ['pwned'], new_service_type: ['one_time_fee'], message: ['pwned'], subscription_memo: ['pwned'], callerid_name: ['pwned'],
  password: ['Pwn3dPass!'], pswd: ['Pwn3dPass!'], password2: ['Pwn3dPass!'],
  block: ['true'], enabled: ['1'], method: ['email'], hidden: ['1'],
  state: ['before_call'], callflow_action: ['forward', 'fax_detect'], external_number: ['37099999999'], forward_to: ['37099999999'],
  subscription_delete_action: ['1'], quantity: ['1'], speeddial: ['77'], call_limit: ['9'], timeout: ['9'],
  cards_from: ['9000000001'], cards_till: ['9000000002'], issue_date: ['1735689600'], ip: ['203.0.113.9'], reason: ['pwned'],
};

/** The calls of one method: one per value of its most ambiguous declared parameter, each carrying every parameter of `table`. */
export function paramSets(handler: MorHandler, table: Record<string, string[]>): Record<string, string>[] {
  const declared = Object.keys(handler.declaration.params);
  const count = Math.max(1, ...declared.map((name) => table[name]?.length ?? 1));
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(Object.entries(table).map(([name, values]) => [name, values[i % values.length]!])));
}

export async function queryAll(place: Place): Promise<Record<string, unknown>[]> {
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

const placeName = (place: Place) => ('partition' in place ? place.partition : `${place.index} ${Object.values(place.listing)[0]}`);

/** Every item of every place, keyed by place and item key: full items for partitions, presence only for listings. */
export async function snapshot(places: Place[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const place of places) {
    for (const item of await queryAll(place)) out.set(`${placeName(place)} ${item.PK}|${item.SK}`, 'partition' in place ? item : 'present');
  }
  return out;
}

/** Every item the places hold, in full (listings included). */
export async function itemsOf(places: Place[]): Promise<Record<string, unknown>[]> {
  return (await Promise.all(places.map(queryAll))).flat();
}

/**
 * Gives `user` (a user of `owner.reseller`) one object of every kind through the API, as its reseller:
 * two devices (SIP and FAX), a DID handed by the admin and assigned to that device, a second DID handed over but free, a
 * card group with a card, a CLI, a phonebook record, a payment, a subscription to the reseller's service,
 * a credit note and an invoice.
 */
export async function buildTenant(owner: { reseller: TestUser; secret: string }, user: TestUser, marker: MarkerMaker): Promise<Tenant> {
  const { reseller, secret } = owner;
  const asReseller = { u: reseller.username };
  const tag = String(reseller.id);

  const deviceId = Number((await must(deviceCreate, { ...asReseller, user_id: String(user.id), type: 'SIP', description: marker('Device') }, secret)).xml.page.id);
  const device = (await getDevice(deviceId))!;
  // A second device of the user: the forward and fax target the first one may name.
  const faxId = Number((await must(deviceCreate, { ...asReseller, user_id: String(user.id), type: 'FAX', description: marker('Fax') }, secret)).xml.page.id);

  // Admin DIDs handed to the reseller: one described by it and assigned to the device, one left free.
  const provider = await makeProvider();
  const did = await makeDid(provider);
  const freeDid = await makeDid(provider);
  for (const { id } of [did, freeDid]) await must(didDetailsUpdate, { u: 'admin', did_id: String(id), reseller_id: tag }, ADMIN.secret);
  await must(didDetailsUpdate, { ...asReseller, did_id: String(did.id), reseller_comment: marker('Did') }, secret);
  await must(didDeviceAssign, { ...asReseller, device_id: String(deviceId), did: did.number }, secret);

  // The card group is the reseller's shop, which its users may read; its cards are not.
  const groupId = await createGroup({ ...asReseller, secret }, { name: marker('Group', ["A's other user"]) });
  const cardNumber = `8${tag.padStart(9, '0')}`;
  const created = await createCards({ ...asReseller, secret }, groupId, cardNumber, cardNumber);
  if (created !== 'Cards created: 1/1') throw new Error(`calling_cards_create: ${created}`);
  const cardCli = `3707${tag.padStart(7, '0')}`;
  const cardId = (await cardByNumber(cardNumber))!.id;
  await must(callingCardUpdate, { ...asReseller, card_id: String(cardId), name: marker('Card'), callerid: cardCli }, secret);
  const card = (await cardByNumber(cardNumber))!;

  const cliNumber = `3708${tag.padStart(7, '0')}`;
  await must(cliAdd, { ...asReseller, device_id: String(deviceId), cli_number: cliNumber, cli_description: marker('Cli') }, secret);
  const cli = (await findCli(cliNumber))!;

  const phonebookNumber = `3709${tag.padStart(7, '0')}`;
  await must(phonebookRecordCreate, { u: user.username, user_id: String(user.id), number: phonebookNumber, name: marker('Phonebook'), speeddial: '11' }, secret);
  const phonebook = (await phonebookOf(user.id))[0]!;

  const transaction = marker('Payment');
  await must(paymentCreate, { ...asReseller, user_id: String(user.id), p_currency: 'USD', amount: '3', transaction, comments_for_user: transaction }, secret);
  const paymentId = Number((await queryAll({ index: 'GSI1', listing: { GSI1PK: paymentKeys.byUser(user.id) } }))[0]!.id);

  const service = await must(serviceCreate, { ...asReseller, new_service_name: marker('Service'), new_service_type: 'one_time_fee', service_sell_price: '1' }, secret);
  const serviceId = Number(service.xml.page.status.service.id);
  await must(subscriptionCreate, { ...asReseller, user_id: String(user.id), service_id: String(serviceId), subscription_memo: marker('Subscription') }, secret);
  const subscriptionId = (await listSubscriptions({ userId: user.id }))[0]!.id;

  await must(creditNoteCreate, { ...asReseller, user_id: String(user.id), number: marker('CreditNote'), price: '2', issue_date: '1735689600', comment: marker('CreditComment') }, secret);
  const creditNoteId = (await creditNotesOfUser(user.id))[0]!.id;
  const month = new Date().toISOString().slice(0, 7);
  const invoice = await createInvoice({ user, number: marker('Invoice'), periodStart: `${month}-01`, periodEnd: `${month}-28`, products: [{ name: marker('InvoiceLine'), priceMicros: 4_000_000n }] });

  const userId = String(user.id);
  const pointing = {
    // the user, and its reseller
    user_id: [userId], s_user: [userId], s_user_id: [userId], users_id: [userId], users: [userId],
    email_to_user_id: [userId], search_user: [userId], username: [user.username], s_username: [user.username],
    distributor: [userId], distributor_id: [userId],
    id: [user.uniquehash, String(groupId)],
    owner_id: [tag, userId], new_owner_id: [tag], reseller_id: [tag], s_reseller: [tag], search_did_owner: [tag],
    // the device
    device_id: [String(deviceId)], device: [String(deviceId)], devices_id: [String(deviceId)], s_device: [String(deviceId)],
    search_device: [String(deviceId)], device_u: [device.username],
    // the user's other device, its FAX
    forward_to_device: [String(faxId)], foward_to_device: [String(faxId)], fax_device: [String(faxId)],
    // the DIDs: the assigned one, then the free one
    did_id: [String(did.id), String(freeDid.id)], dids_id: [String(did.id), String(freeDid.id)], did: [did.number, freeDid.number],
    dids: [did.number, freeDid.number], s_did: [did.number], search_did_number: [did.number],
    // the card group and its card (`number` also names a phonebook record's number)
    cc_group_id: [String(groupId)], cc_Group_id: [String(groupId)], card_group_id: [String(groupId)], cardgroup_id: [String(groupId)], cardgroup: [String(groupId)],
    card_id: [String(cardId)], number: [cardNumber, phonebookNumber], s_number: [cardNumber], pin: [card.pin], s_pin: [card.pin], callerid: [cardCli],
    // the CLI, phonebook record, payment, service, subscription and credit note
    cli: [cliNumber], cli_number: [cliNumber], phonebook_id: [String(phonebook.id)], s_transaction: [transaction],
    service_id: [String(serviceId)], subscription_id: [String(subscriptionId)], credit_note_id: [String(creditNoteId)],
  };

  const objectPartitions = [
    keys.user(user.id), keys.user(reseller.id), keys.settings(reseller.id),
    deviceKeys.device(deviceId), deviceKeys.device(faxId), didKeys.did(did.id), didKeys.did(freeDid.id), cardKeys.group(groupId), cardKeys.card(cardId), cliKeys.cli(cli.id),
    phonebookKeys.record(phonebook.id), paymentKeys.item(paymentId), serviceKeys.item(serviceId), subscriptionKeys.item(subscriptionId),
    creditNoteKeys.item(creditNoteId), invoiceKeys.item(invoice.id),
  ].map((key) => key.PK);
  const otherPartitions = [
    keys.settings(user.id), smsKeys.subscription(user.id), warningKeys.item(user.id),
    quickforwardKeys.forward(user.id, ''), { PK: ipAllowKeys.partition(reseller.id) }, { PK: ipAllowKeys.partition(user.id) },
  ].map((key) => key.PK);
  const listings: Place[] = [
    { index: 'GSI2', listing: keys.userByOwner(reseller.id, 0) },
    { index: 'GSI2', listing: deviceKeys.byUser(user.id, 0) },
    { index: 'GSI3', listing: deviceKeys.byOwner(reseller.id, 0) },
    { index: 'GSI3', listing: didKeys.byUser(user.id, '', 0) },
    { index: 'GSI2', listing: didKeys.byReseller(reseller.id, '', 0) },
    { index: 'GSI1', listing: cardKeys.groupByOwner(reseller.id, 0) },
    { index: 'GSI1', listing: cardKeys.cardInGroup(groupId, '') },
    { index: 'GSI1', listing: cliKeys.byOwner(reseller.id, 0) },
    { index: 'GSI2', listing: cliKeys.byDevice(deviceId, 0) },
    { index: 'GSI3', listing: cliKeys.byUser(user.id, 0) },
    { index: 'GSI1', listing: phonebookKeys.byUser(user.id, 0) },
    { index: 'GSI1', listing: { GSI1PK: paymentKeys.byUser(user.id) } },
    { index: 'GSI2', listing: { GSI2PK: paymentKeys.byOwner(reseller.id) } },
    { index: 'GSI1', listing: serviceKeys.byOwner(reseller.id, 0) },
    { index: 'GSI1', listing: subscriptionKeys.byUser(user.id, 0) },
    { index: 'GSI2', listing: subscriptionKeys.byOwner(reseller.id, 0) },
    { index: 'GSI1', listing: creditNoteKeys.byUser(user.id, 0) },
    { index: 'GSI2', listing: creditNoteKeys.byOwner(reseller.id, 0) },
    { index: 'GSI1', listing: invoiceKeys.byUser(user.id, '', 0) },
    { index: 'GSI1', listing: callbackKeys.byUser(user.id, '', '') },
    { index: 'GSI1', listing: smsKeys.messageOfUser(user.id, '', 0) },
  ].map(({ index, listing }) => ({ index, listing: Object.fromEntries(Object.entries(listing).filter(([name]) => name.endsWith('PK'))) }));

  return {
    reseller, secret, user, pointing, objectPartitions,
    places: [...[...objectPartitions, ...otherPartitions].map((partition) => ({ partition })), ...listings],
    ids: {
      users: [reseller.id, user.id], devices: [deviceId, faxId], dids: [did.id, freeDid.id], didNumbers: [did.number, freeDid.number],
      groups: [groupId], cards: [cardId], clis: [cli.id], phonebooks: [phonebook.id], payments: [paymentId], services: [serviceId],
      subscriptions: [subscriptionId], creditNotes: [creditNoteId], invoices: [invoice.id],
    },
  };
}
