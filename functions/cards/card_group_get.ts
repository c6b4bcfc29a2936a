import { CARD_RIGHT, countFreeCards, getOwnedGroup, niceNumber, systemCurrency } from '../../lib/domain/cards.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'card_group_get',
  aliases: ['show_calling_card_group'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  unknownCallerEnvelope: 'page',
  // A simple user sees its owner's groups (a shop front showing prices); see docs/compat/cards.md.
  access: { admin: true, accountant: { permission: CARD_RIGHT, level: 1 }, reseller: true, user: true },
  params: { id: field.optional() },
  async run({ caller, params, adminSettings }) {
    const group = await getOwnedGroup(caller, params.id);
    if (!group) throw new MorError('Cardgroup was not found');
    return {
      page: {
        cardgroup: {
          name: group.name,
          iamge_link: `/billing/cards/${group.image}`,
          description: group.description,
          price: niceNumber(group.priceMicros),
          price_with_tax: niceNumber(group.priceMicros),
          currency: systemCurrency(adminSettings),
          free_cards_size: await countFreeCards(group.id),
          pin_length: group.pinLength,
          number_length: group.numberLength,
        },
      },
    };
  },
});
