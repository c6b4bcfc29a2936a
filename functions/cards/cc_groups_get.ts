import { cardAccess, countCards, getOwnedGroup, getReference, groupOwnerOf, listGroups, type CardGroup } from '../../lib/domain/cards.js';
import { formatMicros } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';
import type { UserRecord } from '../../lib/domain/users.js';

const referenceName = async (entity: 'TARIFF' | 'LCR', id: number) => (id > 0 ? String((await getReference(entity, id))?.name ?? '') : '');

async function groupNode(group: CardGroup, caller: UserRecord) {
  const [tariff, lcr, cardsCount] = await Promise.all([
    referenceName('TARIFF', group.tariffId),
    referenceName('LCR', group.lcrId),
    countCards(group.id),
  ]);
  return {
    group_id: group.id,
    group_image: group.image,
    group_name: group.name,
    group_description: group.description,
    group_number_pin_length: `${group.numberLength}/${group.pinLength}`,
    group_tarrif: tariff,
    // MOR shows the LCR only to the group's owner.
    group_lcr: group.ownerId === groupOwnerOf(caller) ? lcr : undefined,
    group_price: formatMicros(group.priceMicros, 4),
    group_price_without_tax: formatMicros(group.priceMicros, 4),
    group_cards_count: cardsCount,
  };
}

export const handler = defineMethod({
  method: 'cc_groups_get',
  errorEnvelope: 'page-status',
  access: cardAccess(1),
  params: { cc_group_id: field.optional() },
  async run({ caller, params }) {
    const id = params.cc_group_id?.trim();
    if (id && !/^\d+$/.test(id)) throw new MorError('Wrong calling cards group ID');
    const groups = id ? [await getOwnedGroup(caller, id)].filter((g) => g !== undefined) : await listGroups(caller);
    if (groups.length === 0) throw new MorError('Calling cards groups were not found');
    return { page: { cc_groups: { cc_group: await Promise.all(groups.map((group) => groupNode(group, caller))) } } };
  },
});
