import { addCardPayment } from '../../lib/domain/cards-money.js';
import { cardByNumber, getGroup, rawBalance, systemCurrency } from '../../lib/domain/cards.js';
import { settingOn } from '../../lib/domain/settings.js';
import { formatMicrosShort, isStorableAmount, parseMicros } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const handler = defineMethod({
  method: 'card_payment_add',
  errorEnvelope: 'page-status',
  // Roles are checked in MOR's order inside the method: the feature switch comes first.
  access: { admin: true, reseller: true, accountant: true, user: true, partner: true },
  params: { number: field.optional(), amount: field.optional(), currency: field.optional(), description: field.optional() },
  async run({ caller, params, adminSettings }) {
    if (!settingOn(adminSettings, 'API_Allow_payments_ower_API')) throw new MorError('Feature Disabled');
    if (caller.usertype !== 'admin' && caller.usertype !== 'reseller') throw new MorError('Access Denied');
    const card = await cardByNumber(params.number?.trim() ?? '');
    // MOR looks the card up among the caller's own cards (admin: the admin's), and only sold ones.
    const ownerId = caller.usertype === 'admin' ? 0 : caller.id;
    if (!card || card.ownerId !== ownerId || !card.sold) throw new MorError('Calling Card was not found');

    const defaultCurrency = systemCurrency(adminSettings);
    const asked = params.currency?.trim().toUpperCase() ?? '';
    // Unknown codes fall back to the system currency (MOR); other real currencies have no rate here.
    if (asked && asked !== defaultCurrency && CURRENCIES.has(asked)) throw new MorError('Currency disabled');
    const amountMicros = params.amount && isStorableAmount(params.amount) ? parseMicros(params.amount) : 0n;
    const description = params.description ?? '';
    const [group, topUp] = await Promise.all([
      getGroup(card.groupId),
      addCardPayment(card, amountMicros, { currency: defaultCurrency, description, userId: caller.id }),
    ]);
    const amount = formatMicrosShort(amountMicros);
    return {
      page: {
        status: { success: 'Calling Card balance successfully updated' },
        calling_card_group: { name: group?.name ?? '' },
        calling_card: { number: card.number },
        add_payment: {
          currency: defaultCurrency,
          amount_with_tax: amount,
          details: {
            current_balance: rawBalance(topUp.previousMicros),
            amount_with_tax: amount,
            amount_without_tax: amount,
            new_balance: rawBalance(topUp.newMicros),
            description,
          },
        },
      },
    };
  },
});
