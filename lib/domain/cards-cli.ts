/**
 * card_by_cli_update: pinless cards found by CallerID, in MOR's branches.
 *
 * Without `pin`: the CallerID's card gets `amount` (or, when `cardgroup_id` names another group of
 * the caller, moves with its balance to a new card there); an unknown CallerID gets a new sold
 * card in `cardgroup_id`. With `pin`: the PIN card's balance joins the CallerID card (same group),
 * or the CallerID moves to the PIN card with its balance (other group), or an unknown CallerID is
 * bound to the PIN card. A CallerID belongs to one card at a time (a unique marker).
 */
import { isStorableAmount, parseMicros } from '../money.js';
import { MorError } from '../pipeline/errors.js';
import { cardByCli, cardByPin, getCard, getOwnedGroup, ownsCard, type Card } from './cards.js';
import { changeCards, createCliCard, moneyChangeItems } from './cards-money.js';
import type { UserRecord } from './users.js';

export interface CliRequest {
  callerid: string;
  amount?: string;
  pin?: string;
  groupId?: string;
}

const PIN_NOT_FOUND = 'PIN number not found';
const ZERO_BALANCE = 'PIN number balance is zero';

async function ownedPinCard(caller: UserRecord, pin: string, except?: Card): Promise<Card> {
  const card = await cardByPin(pin);
  if (!card || !ownsCard(caller, card) || card.id === except?.id) throw new MorError(PIN_NOT_FOUND);
  return card;
}

const reload = async (card: Card) => (await getCard(card.id)) ?? card;

async function withPin(caller: UserRecord, request: CliRequest & { pin: string }, cliCard: Card | undefined): Promise<Card> {
  const pinCard = await ownedPinCard(caller, request.pin, cliCard);
  if (!cliCard) {
    // An unknown CallerID is bound to the PIN card, which is sold.
    await changeCards([{ card: pinCard, set: { callerid: request.callerid, sold: 1 } }], { cli: request.callerid, cardId: pinCard.id });
    return reload(pinCard);
  }
  if (cliCard.groupId === pinCard.groupId) {
    const amount = BigInt(pinCard.balanceMicros);
    if (amount === 0n) throw new MorError(ZERO_BALANCE);
    await changeCards([
      { card: pinCard, set: { sold: 0 }, zeroBalance: true },
      { card: cliCard, set: { sold: 1 }, addMicros: amount },
    ]);
    return reload(cliCard);
  }
  const amount = BigInt(cliCard.balanceMicros);
  if (amount === 0n) throw new MorError(ZERO_BALANCE);
  await changeCards(
    [
      { card: cliCard, set: { sold: 0, callerid: '' }, zeroBalance: true },
      { card: pinCard, set: { sold: 1, callerid: request.callerid }, addMicros: amount },
    ],
    { cli: request.callerid, cardId: pinCard.id },
  );
  return reload(pinCard);
}

async function withAmount(caller: UserRecord, request: CliRequest, cliCard: Card | undefined): Promise<Card> {
  const amount = request.amount && isStorableAmount(request.amount) ? parseMicros(request.amount) : 0n;
  if (!cliCard) {
    const group = await getOwnedGroup(caller, request.groupId);
    if (!group) throw new MorError('Supplied Cardgroup_id is invalid');
    return createCliCard(group, request.callerid, amount);
  }
  const group = request.groupId ? await getOwnedGroup(caller, request.groupId) : await getOwnedGroup(caller, cliCard.groupId);
  if (!group) throw new MorError('You do not have permission to access cardgroup');
  if (group.id === cliCard.groupId) {
    await changeCards([{ card: cliCard, set: { sold: 1 }, addMicros: amount }]);
    return reload(cliCard);
  }
  // Another group: the balance moves to a new card there, the old card is emptied and released.
  const retire = moneyChangeItems([{ card: cliCard, set: { sold: 0, callerid: '' }, zeroBalance: true }], true);
  return createCliCard(group, request.callerid, BigInt(cliCard.balanceMicros) + amount, retire);
}

export async function cliCardUpdate(caller: UserRecord, request: CliRequest): Promise<Card> {
  if (!request.callerid) throw new MorError('Callerid must be specified');
  const cliCard = await cardByCli(request.callerid);
  if (cliCard && !ownsCard(caller, cliCard)) throw new MorError('You do not have permission to access card');
  return request.pin ? withPin(caller, { ...request, pin: request.pin }, cliCard) : withAmount(caller, request, cliCard);
}
