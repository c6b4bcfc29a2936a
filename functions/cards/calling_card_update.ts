import { cardAccess, getCard, getGroup, ownsCard } from '../../lib/domain/cards.js';
import { updateCard, type CardChanges } from '../../lib/domain/cards-update.js';
import { getUser, type UserRecord } from '../../lib/domain/users.js';
import { isDecimal, parseMicros, storeMicros } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_FOUND = 'Calling Card not found';
const FIELDS = ['number', 'name', 'pin', 'batch_number', 'callerid', 'min_balance', 'daily_charge_paid_till', 'language', 'distributor'] as const;
type Params = Partial<Record<(typeof FIELDS)[number] | 'card_id', string>>;

/** A distributor must be a simple user of the card's owner; any other id detaches the card (-1), as MOR does. */
async function distributorId(idText: string, cardOwnerId: number): Promise<number> {
  if (!/^\d+$/.test(idText)) throw new MorError('Wrong distributor');
  const user = await getUser(Number(idText));
  return user && !user.deleted && user.usertype === 'user' && user.ownerId === cardOwnerId ? user.id : -1;
}

async function changesOf(params: Params, numberLength: number, pinLength: number, ownerId: number, raw: Record<string, string>): Promise<CardChanges> {
  const changes: CardChanges = {};
  const given = (value: string | undefined): value is string => value !== undefined && value !== '';
  if (given(params.number)) {
    if (!/^\d+$/.test(params.number)) throw new MorError('Calling Card number must be numerical');
    if (params.number.length !== numberLength) throw new MorError(`Bad number length, should be: ${numberLength}`);
    changes.number = params.number;
  }
  if (given(params.name)) changes.name = params.name;
  if ('pin' in raw) {
    const pin = params.pin ?? '';
    if (pin.trim() === '') throw new MorError('Card PIN is blank');
    if (pin.length !== pinLength || !/^\d+$/.test(pin)) throw new MorError(`Bad PIN length, should be: ${pinLength}`);
    changes.pin = pin;
  }
  if (given(params.batch_number)) changes.batchNumber = params.batch_number;
  if (given(params.callerid)) changes.callerid = params.callerid;
  if (given(params.min_balance)) {
    if (!isDecimal(params.min_balance)) throw new MorError('Balance is not a numerical value');
    const micros = parseMicros(params.min_balance);
    if (micros <= 0n) throw new MorError('Bad minimal balance');
    changes.minBalanceMicros = storeMicros(micros);
  }
  if (given(params.daily_charge_paid_till)) {
    if (!/^\d{1,12}$/.test(params.daily_charge_paid_till)) throw new MorError('Wrong date entered');
    changes.dailyChargePaidTill = new Date(Number(params.daily_charge_paid_till) * 1000).toISOString();
  }
  if (given(params.language)) changes.language = params.language;
  if (given(params.distributor)) changes.distributorId = await distributorId(params.distributor, ownerId);
  return changes;
}

/** Only an accountant with the edit right may change a PIN (MOR ignores the PIN otherwise). */
const mayChangePin = (caller: UserRecord) => caller.usertype !== 'accountant' || (caller.permissions?.Callingcard_manage ?? 0) >= 2;

export const handler = defineMethod({
  method: 'calling_card_update',
  errorEnvelope: 'page-status',
  access: cardAccess(2),
  params: { card_id: field.optional(), ...Object.fromEntries(FIELDS.map((name) => [name, field.optional()])) },
  async run({ caller, params, raw }) {
    const values = params as Params;
    if (!/^\d+$/.test(values.card_id ?? '')) throw new MorError('Wrong Calling Card ID');
    const card = await getCard(Number(values.card_id));
    if (!card || !ownsCard(caller, card)) throw new MorError(NOT_FOUND);
    const group = await getGroup(card.groupId);
    if (!group) throw new MorError(NOT_FOUND);
    const changes = await changesOf(values, group.numberLength, group.pinLength, card.ownerId, raw);
    if (!mayChangePin(caller)) delete changes.pin;
    await updateCard(card, changes, { number: 'Number is already taken', pin: 'PIN is already taken', callerid: 'CallerID must be unique' });
    return { page: { success: 'Calling Card successfully updated' } };
  },
});
