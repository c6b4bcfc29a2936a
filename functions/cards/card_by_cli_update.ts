import { cliCardUpdate } from '../../lib/domain/cards-cli.js';
import { CARD_RIGHT, niceNumber } from '../../lib/domain/cards.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'card_by_cli_update',
  aliases: ['cc_by_cli'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, accountant: { permission: CARD_RIGHT, level: 2 }, reseller: true },
  params: {
    callerid: field.optional(),
    amount: field.optional(),
    pin: field.optional(),
    cardgroup_id: field.optional(),
    // The seed examples send `cardgroup`; both names are accepted.
    cardgroup: field.optional(),
  },
  async run({ caller, params }) {
    const card = await cliCardUpdate(caller, {
      callerid: params.callerid?.trim() ?? '',
      amount: params.amount,
      pin: params.pin?.trim() || undefined,
      groupId: params.cardgroup_id ?? params.cardgroup,
    });
    return {
      page: {
        response: {
          status: 'ok',
          card: {
            id: card.id,
            cardgroup_id: card.groupId,
            balance: niceNumber(card.balanceMicros),
            balance_with_vat: niceNumber(card.balanceMicros),
            callerid: card.callerid,
            pin: card.pin,
            number: card.number,
          },
        },
      },
    };
  },
});
