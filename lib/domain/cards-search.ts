/**
 * calling_cards_get: every filter is answered from a key, never a Scan. The most selective filter
 * picks the read (number / PIN / CallerID: one marker Get; batch: the batch index; distributor: the
 * distributor index; unsold: the sparse free-card index; otherwise the group partition), and the
 * remaining filters run as a FilterExpression on that read (and once more in memory).
 */
import { isStorableAmount, parseMicros } from '../money.js';
import { queryPartition } from '../db/query.js';
import { cardByCli, cardByNumber, cardByPin, cardKeys, INDEX, listGroups, type Card, type CardGroup } from './cards.js';
import type { UserRecord } from './users.js';

export interface CardFilters {
  number?: string;
  name?: string;
  pin?: string;
  batch_number?: string;
  min_balance?: string;
  max_balance?: string;
  callerid?: string;
  language?: string;
  sold?: string;
  distributor?: string;
}

interface Condition {
  expression: string;
  values: Record<string, unknown>;
  test: (card: Card) => boolean;
}

const SOLD = { yes: 1, '1': 1, no: 0, '0': 0 } as Record<string, number>;

function conditionsOf(filters: CardFilters): Condition[] {
  const out: Condition[] = [];
  const text = (value: string | undefined) => value?.trim() || undefined;
  const add = (attribute: string, value: unknown, operator = '=') => {
    const name = `:${attribute}${out.length}`;
    out.push({
      expression: `#${attribute} ${operator} ${name}`,
      values: { [name]: value },
      test: (card) => {
        const actual = card[attribute as keyof Card];
        if (operator === '=') return actual === value;
        return operator === '>=' ? Number(actual) >= (value as number) : Number(actual) <= (value as number);
      },
    });
  };
  if (text(filters.number)) add('number', text(filters.number));
  if (text(filters.pin)) add('pin', text(filters.pin));
  if (text(filters.callerid)) add('callerid', text(filters.callerid));
  if (text(filters.batch_number)) add('batchNumber', text(filters.batch_number));
  if (text(filters.name)) add('name', text(filters.name));
  if (text(filters.language)) add('language', text(filters.language));
  const sold = SOLD[text(filters.sold) ?? ''];
  if (sold !== undefined) add('sold', sold);
  const distributor = text(filters.distributor);
  if (distributor && /^\d{1,15}$/.test(distributor)) add('distributorId', Number(distributor));
  const min = text(filters.min_balance);
  if (min && isStorableAmount(min)) add('balanceMicros', Number(parseMicros(min)), '>=');
  const max = text(filters.max_balance);
  if (max && isStorableAmount(max)) add('balanceMicros', Number(parseMicros(max)), '<=');
  return out;
}

function filterOf(conditions: Condition[]) {
  if (conditions.length === 0) return undefined;
  const names: Record<string, string> = {};
  for (const c of conditions) {
    const attribute = c.expression.split(' ')[0]!;
    names[attribute] = attribute.slice(1);
  }
  return {
    expression: conditions.map((c) => c.expression).join(' AND '),
    names,
    values: Object.assign({}, ...conditions.map((c) => c.values)) as Record<string, unknown>,
  };
}

/** Cards of one key partition with the remaining filters applied server-side. */
const cardsOfPartition = (index: string, pkName: string, pkValue: string, conditions: Condition[]) =>
  queryPartition<Card>({ index, partitionKey: [pkName, pkValue], filter: filterOf(conditions) });

/** The caller's cards that match every filter, in group then number order. */
export async function searchCards(caller: UserRecord, filters: CardFilters): Promise<Card[]> {
  const groups = await listGroups(caller);
  const groupIds = new Set(groups.map((g) => g.id));
  const conditions = conditionsOf(filters);
  const matches = (card: Card) => groupIds.has(card.groupId) && conditions.every((c) => c.test(card));
  const byGroup = (read: (group: CardGroup) => Promise<Card[]>) => Promise.all(groups.map(read)).then((lists) => lists.flat());

  const single = filters.number?.trim()
    ? cardByNumber(filters.number.trim())
    : filters.pin?.trim()
      ? cardByPin(filters.pin.trim())
      : filters.callerid?.trim()
        ? cardByCli(filters.callerid.trim())
        : undefined;
  let cards: Card[];
  if (single) {
    const card = await single;
    cards = card ? [card] : [];
  } else if (filters.batch_number?.trim()) {
    const batch = filters.batch_number.trim();
    cards = await byGroup((g) => cardsOfPartition(INDEX.batch, 'GSI3PK', cardKeys.cardInBatch(g.id, batch, '').GSI3PK, conditions));
  } else if (filters.distributor?.trim() && /^\d+$/.test(filters.distributor.trim())) {
    const pk = cardKeys.cardOfDistributor(Number(filters.distributor.trim()), '').GSI4PK;
    cards = await cardsOfPartition(INDEX.distributor, 'GSI4PK', pk, conditions);
  } else if (SOLD[filters.sold?.trim() ?? ''] === 0) {
    cards = await byGroup((g) => cardsOfPartition(INDEX.secondary, 'GSI2PK', cardKeys.freeCard(g.id, 0).GSI2PK, conditions));
  } else {
    cards = await byGroup((g) => cardsOfPartition(INDEX.primary, 'GSI1PK', cardKeys.cardInGroup(g.id, '').GSI1PK, conditions));
  }
  return cards.filter(matches).sort((a, b) => a.groupId - b.groupId || (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
}
