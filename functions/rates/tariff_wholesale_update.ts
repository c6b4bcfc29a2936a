import { listingOwnerId } from '../../lib/pipeline/access.js';
import { TariffNameTakenError, createTariff, getTariff, updateTariff } from '../../lib/domain/tariffs.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const CURRENCY = /^[A-Z]{3}$/;

/** MOR's model validation answer: one `<message>` per failed rule. */
const invalid = (...messages: string[]) => ({ page: { error: { message: messages } } });

export const handler = defineMethod({
  method: 'tariff_wholesale_update',
  aliases: ['wholesale_tariff'],
  errorEnvelope: 'page',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, accountant: { permission: 'Tariff_manage', level: 2 }, denied: 'Bad login' },
  params: { id: field.optional(), name: field.optional(), currency: field.optional() },
  async run({ caller, params }) {
    const ownerId = listingOwnerId(caller);
    const messages: string[] = [];
    if (params.currency && !CURRENCY.test(params.currency)) messages.push('Currency is invalid');
    try {
      if (!params.id || params.id === '0') {
        if (!params.name) messages.push("Name can't be blank");
        if (messages.length) return invalid(...messages);
        const tariff = await createTariff({ name: params.name!, purpose: 'user_wholesale', currency: params.currency || caller.currency || 'USD', ownerId });
        return { page: { status: 'ok', tariff_id: tariff.id } };
      }
      const tariff = /^[0-9]{1,15}$/.test(params.id) ? await getTariff(Number(params.id)) : undefined;
      if (!tariff || tariff.purpose !== 'user_wholesale' || tariff.ownerId !== ownerId) throw new MorError('Tariff not found');
      if (messages.length) return invalid(...messages);
      await updateTariff(tariff, { name: params.name || undefined, currency: params.currency || undefined });
      return { page: { status: 'ok' } };
    } catch (error) {
      if (error instanceof TariffNameTakenError) return invalid('Name has already been taken');
      throw error;
    }
  },
});
