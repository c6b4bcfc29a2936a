import { recordAction } from '../../lib/domain/action-log.js';
import { sellCard, sellFreeCards } from '../../lib/domain/cards-money.js';
import { CARD_RIGHT, cardByNumber, getOwnedGroup, rawBalance, systemCurrency } from '../../lib/domain/cards.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const MAX_QUANTITY = 1000;

export const handler = defineMethod({
  method: 'card_from_group_sell',
  aliases: ['buy_card_from_callingroup'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, accountant: { permission: CARD_RIGHT, level: 2 }, reseller: true },
  params: { id: field.optional(), quantity: field.optional(), email: field.optional(), number: field.optional(), curr: field.optional() },
  async run({ caller, params, adminSettings }) {
    const group = await getOwnedGroup(caller, params.id);
    if (!group) throw new MorError('Cardgroup was not found');
    // MOR: a positive `number` sells that card and ignores `quantity`; quantity below 1 means 1.
    const number = /^\d+$/.test(params.number ?? '') && BigInt(params.number!) > 0n ? params.number! : undefined;
    let cards;
    if (number) {
      const card = await cardByNumber(number);
      if (!card || card.groupId !== group.id) throw new MorError('Free cards was not found');
      cards = [await sellCard(card)];
    } else {
      const quantity = /^\d+$/.test(params.quantity ?? '') ? Math.min(Math.max(Number(params.quantity), 1), MAX_QUANTITY) : 1;
      cards = await sellFreeCards(group, quantity);
      if (cards.length === 0) throw new MorError('Free cards was not found');
    }
    await Promise.all(cards.map((card) =>
      recordAction({ userId: caller.id, action: 'card_sell_over_api', target: 'Card', targetId: card.id, data: params.email })));
    const currency = systemCurrency(adminSettings);
    return {
      page: {
        cards: {
          card: cards.map((card) => ({ pin: card.pin, number: card.number, balance_without_vat: rawBalance(card.balanceMicros), currency })),
        },
      },
    };
  },
});
