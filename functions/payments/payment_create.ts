import { recordAction } from '../../lib/domain/action-log.js';
import {
  BalanceFloorError,
  BalanceUserMissingError,
  exchangeRateMicros,
  niceNumber,
  prepaidFloorOn,
  sendEmailSafely,
  toSystemCurrency,
} from '../../lib/domain/balance.js';
import { createPayment, DuplicateTransactionError, netOfGross, taxOnNet } from '../../lib/domain/payments.js';
import { settingOn } from '../../lib/domain/settings.js';
import { apiOwnerId, findManagedUser, getUser, managedOwnerId } from '../../lib/domain/users.js';
import { isStorableAmount, parseMicros } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';
import type { XmlNode } from '../../lib/xml.js';

const NOT_SAVED = 'Payment was not saved';

/** MOR's `<error>Payment was not saved<message>…</message></error>`. */
const notSaved = (message: string, extra: XmlNode = {}): XmlNode => ({
  page: { error: { '#text': NOT_SAVED, message, ...extra } },
});

const optionalAmount = (text: string | undefined) => (text ? (isStorableAmount(text) ? parseMicros(text) : undefined) : 0n);

export const handler = defineMethod({
  method: 'payment_create',
  aliases: ['create_payment'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  unknownCallerEnvelope: 'status',
  access: { admin: true, reseller: true, accountant: true },
  params: {
    user_id: field.optional(),
    p_currency: field.optional(),
    paymenttype: field.optional(),
    tax_in_amount: field.optional(),
    amount: field.optional(),
    transaction: field.optional(),
    payer_email: field.optional(),
    comments_for_user: field.optional(),
    description: field.optional(),
    fee: field.optional(),
  },
  async run({ caller, params, adminSettings, ownerSettings }) {
    if (!settingOn(ownerSettings, 'API_Allow_payments_ower_API')) throw new MorError('Payments not allow from api');
    // MOR: only the caller's own users (owner_id = caller; accountants act as the admin).
    const user = await findManagedUser(caller, params.user_id, { allowSelf: false });
    if (!user || user.ownerId !== managedOwnerId(caller)) throw new MorError('Access Denied');
    const currency = (params.p_currency ?? '').toUpperCase();
    const rateMicros = await exchangeRateMicros(currency, adminSettings);
    if (rateMicros === undefined) throw new MorError('No currency');

    const amountMicros = optionalAmount(params.amount);
    if (!params.amount || amountMicros === undefined) return notSaved('Amount must be a number');
    const feeMicros = optionalAmount(params.fee);
    if (feeMicros === undefined) return notSaved('Fee must be a number');

    const taxIncluded = params.tax_in_amount === '1';
    const netMicros = taxIncluded ? netOfGross(amountMicros, user.taxes) : amountMicros;
    const taxMicros = taxIncluded ? amountMicros - netMicros : taxOnNet(amountMicros, user.taxes);
    const confirmationNeeded = settingOn(ownerSettings, 'API_payment_confirmation');
    const paymentType = params.paymenttype ? `from_api : ${params.paymenttype}` : 'from_api';

    let payment;
    try {
      payment = await createPayment({
        user,
        paymentType,
        currency,
        amountMicros: netMicros,
        taxMicros,
        feeMicros,
        balanceDeltaMicros: toSystemCurrency(netMicros, rateMicros),
        transactionId: params.transaction ?? '',
        payerEmail: params.payer_email ?? '',
        description: params.description ?? '',
        commentsForUser: params.comments_for_user ?? '',
        completed: !confirmationNeeded,
        pendingReason: confirmationNeeded ? 'Waiting for confirmation' : '',
        prepaidFloor: prepaidFloorOn(adminSettings),
      });
    } catch (error) {
      if (error instanceof DuplicateTransactionError) {
        return notSaved('Transaction has already been recorded for this user', {
          payment_id: error.existingPaymentId === undefined ? undefined : error.existingPaymentId,
        });
      }
      if (error instanceof BalanceFloorError) return notSaved('Balance of a prepaid user can not drop below zero');
      if (error instanceof BalanceUserMissingError) throw new MorError('Access Denied');
      throw error;
    }

    const amounts = { tax: niceNumber(taxMicros, adminSettings), amount: niceNumber(netMicros, adminSettings), gross: niceNumber(netMicros + taxMicros, adminSettings) };
    await recordAction({
      userId: user.id,
      action: `payment: ${paymentType}`,
      data: payment.completed ? `User successfully payed using ${paymentType}` : `User successfully created ${paymentType}`,
      data2: `payment id: ${payment.id}`,
      data3: `amount: ${amounts.amount}, tax: ${amounts.tax}, fee: ${niceNumber(feeMicros, adminSettings)}, sent: ${amounts.gross}`,
      data4: `authorization: ${payment.transactionId}`,
    }).catch(() => undefined);
    const summary = `Payment ${payment.id} of ${amounts.gross} ${currency} for ${user.username}`;
    if (settingOn(ownerSettings, 'Send_Email_To_Admin_After_Manual_Payment')) {
      const owner = await getUser(apiOwnerId(caller));
      await sendEmailSafely({ to: owner?.email ?? '', subject: 'manual_payment_email', body: summary, userId: user.id });
    }
    if (settingOn(ownerSettings, 'Send_Email_To_User_After_Manual_Payment')) {
      await sendEmailSafely({ to: user.email, subject: 'manual_payment_email_for_user', body: summary, userId: user.id });
    }
    return {
      page: {
        response: {
          status: 'ok',
          confirmed: payment.completed ? 'Yes' : 'No',
          payment: { '@_currency': currency, payment_id: payment.id, ...amounts },
        },
      },
    };
  },
});
