import { createCardBatch } from '../../lib/domain/cards-batch.js';
import { cardAccess, getOwnedGroup } from '../../lib/domain/cards.js';
import { getUser } from '../../lib/domain/users.js';
import { isDecimal, parseMicros, storeMicros } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** The distributor: a simple user of the group's owner, else none (-1), as MOR silently does. */
async function distributorOf(idText: string | undefined, groupOwnerId: number): Promise<number> {
  if (!idText || !/^\d+$/.test(idText)) return -1;
  const user = await getUser(Number(idText));
  return user && !user.deleted && user.usertype === 'user' && user.ownerId === groupOwnerId ? user.id : -1;
}

export const handler = defineMethod({
  method: 'calling_cards_create',
  errorEnvelope: 'page-status',
  access: cardAccess(1),
  params: {
    card_group_id: field.optional(),
    cards_from: field.optional(),
    cards_till: field.optional(),
    batch_number: field.optional(),
    min_balance: field.optional(),
    distributor_id: field.optional(),
    language: field.optional(),
  },
  async run({ caller, params, raw }) {
    const group = await getOwnedGroup(caller, params.card_group_id);
    if (!group) throw new MorError('Card Group was not found');
    const { cards_from: from, cards_till: till } = params;
    if (!from) throw new MorError('Cards from was not found');
    if (!till) throw new MorError('Cards till was not found');
    const wellFormed = (n: string) => /^\d+$/.test(n) && n.length === group.numberLength;
    if (!wellFormed(from)) throw new MorError('Cards from is in incorrect format');
    if (!wellFormed(till)) throw new MorError('Cards till is in incorrect format');
    if (BigInt(from) > BigInt(till)) throw new MorError('Cards from must not be greater than Cards till');

    // Invalid optional values fall back to defaults without an error, as the seed page says.
    const minBalance = params.min_balance && isDecimal(params.min_balance) ? storeMicros(parseMicros(params.min_balance)) : 0;
    const { created, total } = await createCardBatch({
      group,
      from,
      till,
      batchNumber: params.batch_number ?? '',
      minBalanceMicros: Math.max(minBalance, 0),
      language: 'language' in raw ? (params.language ?? '') : 'en',
      distributorId: await distributorOf(params.distributor_id, group.ownerId),
    });
    if (created === 0) throw new MorError('Cards already exist');
    return { page: { status: { success: `Cards created: ${created}/${total}` } } };
  },
});
