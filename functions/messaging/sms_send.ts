import { BalanceFloorError, changeBalance, exchangeRateMicros, prepaidFloorOn, systemCurrency } from '../../lib/domain/balance.js';
import { getSmsLcr, getSmsSubscription, sendSms, smsAddonOn, toCurrencyMicros } from '../../lib/domain/messaging.js';
import { formatMicros, MICROS_PER_UNIT } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { ERR, MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_SUBSCRIBED = 'User is not subscribed to sms service';

export const handler = defineMethod({
  method: 'sms_send',
  aliases: ['send_sms'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { user: true },
  params: { lcr_id: field.optional(), dst: field.optional(), src: field.optional(), message: field.optional() },
  async run({ caller, params, adminSettings }) {
    // MOR's addon filter answers before anything else, in the bare <status> envelope.
    if (!smsAddonOn(adminSettings)) throw new MorError(ERR.accessDenied, 'status');
    if (!params.message) throw new MorError('There is no message or it is empty');
    if (!params.src) throw new MorError('Wrong source');
    if (!params.dst) throw new MorError('Wrong destination');
    const lcr = await getSmsLcr(params.lcr_id);
    if (!lcr || lcr.ownerId !== caller.ownerId) throw new MorError('There is no such LCR');
    const subscription = await getSmsSubscription(caller.id);
    if (!subscription) throw new MorError(NOT_SUBSCRIBED);

    const outcome = await sendSms(
      { user: caller, lcrId: lcr.id, src: params.src, dst: params.dst, message: params.message, tariffId: subscription.smsTariffId },
      {
        charge: async (priceMicros, recordPut) => {
          await changeBalance({ user: caller, deltaMicros: -priceMicros, prepaidFloor: prepaidFloorOn(adminSettings), withItems: [recordPut] });
        },
        refund: async (priceMicros) => {
          await changeBalance({ user: caller, deltaMicros: priceMicros });
        },
      },
    ).catch((error) => {
      if (error instanceof BalanceFloorError) throw new MorError('Insufficient balance');
      throw error;
    });
    const { record } = outcome;
    const tip = { message_id: record.id, sms_status_code_tip: record.statusTip };
    if (!outcome.sent) return { page: { error: { message: tip } } };
    const currency = caller.currency || systemCurrency(adminSettings);
    const rate = (await exchangeRateMicros(currency, adminSettings)) ?? MICROS_PER_UNIT;
    return {
      page: {
        response: {
          status: 'ok',
          message: { ...tip, price: formatMicros(toCurrencyMicros(BigInt(record.priceMicros), rate), 4), currency },
        },
      },
    };
  },
});
