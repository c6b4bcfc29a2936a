import { searchCards, type CardFilters } from '../../lib/domain/cards-search.js';
import { cardAccess, formatTime, rawBalance, type Card } from '../../lib/domain/cards.js';
import { getUser, type UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const FILTERS = ['number', 'name', 'pin', 'batch_number', 'min_balance', 'max_balance', 'callerid', 'language', 'sold', 'distributor'] as const;

/** MOR's `nice_user`: "First Last", or the username when the name is empty. */
const niceUser = (user: UserRecord | undefined) =>
  user ? `${user.firstName} ${user.lastName}`.trim() || user.username : '';

async function distributorNames(cards: Card[]): Promise<Map<number, string>> {
  const ids = [...new Set(cards.map((c) => c.distributorId).filter((id) => id > 0))];
  const users = await Promise.all(ids.map((id) => getUser(id)));
  return new Map(ids.map((id, i) => [id, niceUser(users[i])]));
}

export const handler = defineMethod({
  method: 'calling_cards_get',
  errorEnvelope: 'page-status',
  access: cardAccess(1),
  params: Object.fromEntries(FILTERS.map((name) => [name, field.optional()])),
  async run({ caller, params }) {
    const cards = await searchCards(caller, params as CardFilters);
    if (cards.length === 0) throw new MorError('Cards were not found');
    const distributors = await distributorNames(cards);
    return {
      page: {
        cards: {
          card: cards.map((card) => ({
            card_id: card.id,
            card_number: card.number,
            card_name: card.name,
            card_pin: card.pin,
            card_batch_number: card.batchNumber,
            card_callerid: card.callerid,
            card_balance: rawBalance(card.balanceMicros),
            card_minimal_balance: rawBalance(card.minBalanceMicros),
            card_first_use: formatTime(card.firstUse),
            card_daily_charge_paid_till: formatTime(card.dailyChargePaidTill),
            card_sold: card.sold,
            card_language: card.language,
            card_distributor: card.distributorId > 0 ? distributors.get(card.distributorId) : undefined,
          })),
        },
      },
    };
  },
});
