import { cardByNumber, ownsCard, rawBalance, systemCurrency } from '../../lib/domain/cards.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'card_balance_get',
  errorEnvelope: 'page',
  unknownCaller: 'User was not found',
  unknownCallerEnvelope: 'page',
  // MOR: the admin and resellers (their own cards); the wiki spells this error "authorised".
  access: { admin: true, reseller: true, notAuthorized: 'You are not authorised to use this functionality', denied: 'You are not authorised to use this functionality' },
  params: { number: field.optional() },
  async run({ caller, params, adminSettings }) {
    const card = await cardByNumber(params.number?.trim() ?? '');
    if (!card || !ownsCard(caller, card)) throw new MorError('Calling Card was not found');
    return { page: { calling_card: { balance: rawBalance(card.balanceMicros), currency: systemCurrency(adminSettings) } } };
  },
});
