/**
 * Quickforwards: a simple user forwards DIDs of its quickforwards rule to a number of its own.
 * A DID is usable when its number matches one of the rule's patterns and it sits in a dial plan
 * of type `quickforwarddids`.
 *
 * Keys: rule `QFRULE#<id>` / `QFRULE` ({ name, rule: patterns separated by `|` or `,`, SQL LIKE
 * wildcards `%` `_`}); dial plan `DIALPLAN#<id>` / `DIALPLAN` ({ dptype }); a user's forward
 * `QFDID#<userId>` / `DID#<number>`. DIDs of a pattern are read by prefix from the DID domain's
 * number-ordered index (GSI4 `DIDS`).
 */
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { queryPartition } from '../db/query.js';
import { DID_NUMBER, findDidByNumber, likePattern, queryDids, type DidRecord } from './dids.js';
import { setting, type Settings } from './settings.js';
import type { UserRecord } from './users.js';

export const QUICKFORWARD_DIALPLAN_TYPE = 'quickforwarddids';
export const NOT_AUTHORIZED_QUICKFORWARDS = 'You are not authorized to use Quickforwards';
export const QF_DID_NOT_FOUND = 'DID was not found';

export interface QuickforwardRule {
  id: number;
  name: string;
  /** DID patterns, `|` or `,` separated, with SQL LIKE wildcards (e.g. `3706%|370605_____`). */
  rule: string;
}

export interface QuickforwardDid {
  userId: number;
  did: string;
  forwardTo: string;
  description: string;
  updatedAt: string;
}

export const quickforwardKeys = {
  rule: (id: number) => ({ PK: `QFRULE#${id}`, SK: 'QFRULE' }),
  dialplan: (id: number) => ({ PK: `DIALPLAN#${id}`, SK: 'DIALPLAN' }),
  forward: (userId: number, did: string) => ({ PK: `QFDID#${userId}`, SK: `DID#${did}` }),
};

/** The user's rule: its own `quickforwards_rule_id` column, else its owner's default for new users; 0 = none. */
export function ruleIdOf(user: UserRecord, ownerSettings: Settings): number {
  const own = user.details?.quickforwards_rule_id;
  const id = Number(own ?? setting(ownerSettings, 'default_user_quickforwards_rule_id', '0'));
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

export async function getRule(id: number): Promise<QuickforwardRule | undefined> {
  if (!id) return undefined;
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: quickforwardKeys.rule(id) }));
  return result.Item as QuickforwardRule | undefined;
}

const patternsOf = (rule: QuickforwardRule) =>
  rule.rule.split(/[|,]/).map((p) => p.trim()).filter(Boolean).map(likePattern);

/** The ids among `ids` that are quickforward dial plans (one BatchGet). */
async function quickforwardDialplans(ids: number[]): Promise<Set<number>> {
  const unique = [...new Set(ids.filter((id) => id > 0))];
  const found = new Set<number>();
  for (let i = 0; i < unique.length; i += 100) {
    const result = await db.send(
      new BatchGetCommand({ RequestItems: { [TABLE_NAME]: { Keys: unique.slice(i, i + 100).map(quickforwardKeys.dialplan) } } }),
    );
    for (const item of result.Responses?.[TABLE_NAME] ?? []) {
      if (item.dptype === QUICKFORWARD_DIALPLAN_TYPE) found.add(Number(String(item.PK).split('#')[1]));
    }
  }
  return found;
}

/** The DIDs a rule makes usable, in number order. */
async function didsOfRule(rule: QuickforwardRule): Promise<DidRecord[]> {
  const byNumber = new Map<string, DidRecord>();
  for (const pattern of patternsOf(rule)) {
    const dids = await queryDids('all', { numberPrefix: pattern.prefix, accept: (did) => pattern.test(did.did) });
    for (const did of dids) byNumber.set(did.did, did);
  }
  const candidates = [...byNumber.values()];
  const dialplans = await quickforwardDialplans(candidates.map((did) => did.dialplanId));
  return candidates.filter((did) => dialplans.has(did.dialplanId)).sort((a, b) => a.did.localeCompare(b.did));
}

async function forwardsOf(userId: number): Promise<Map<string, QuickforwardDid>> {
  const forwards = await queryPartition({
    partitionKey: ['PK', quickforwardKeys.forward(userId, '').PK],
    map: (item) => item as unknown as QuickforwardDid,
  });
  return new Map(forwards.map((forward) => [String(forward.did), forward]));
}

/** The user's usable DIDs with its forward number and description (empty when not set). */
export async function quickforwardDidsOf(user: UserRecord, ownerSettings: Settings) {
  const rule = await getRule(ruleIdOf(user, ownerSettings));
  if (!rule) return [];
  const [dids, forwards] = await Promise.all([didsOfRule(rule), forwardsOf(user.id)]);
  return dids.map((did) => ({
    did: did.did,
    forwardTo: forwards.get(did.did)?.forwardTo ?? '',
    description: forwards.get(did.did)?.description ?? '',
  }));
}

/** A DID the user's rule makes usable, else `DID was not found`'s condition (undefined). */
export async function usableDid(user: UserRecord, ownerSettings: Settings, number: string | undefined): Promise<DidRecord | undefined> {
  if (!number || number.length > 100 || !DID_NUMBER.test(number)) return undefined;
  const rule = await getRule(ruleIdOf(user, ownerSettings));
  if (!rule || !patternsOf(rule).some((pattern) => pattern.test(number))) return undefined;
  const did = await findDidByNumber(number);
  if (!did || !(await quickforwardDialplans([did.dialplanId])).has(did.dialplanId)) return undefined;
  return did;
}

/** Creates or replaces the user's forward of a DID. */
export async function saveQuickforward(forward: Omit<QuickforwardDid, 'updatedAt'>): Promise<QuickforwardDid> {
  const saved = { ...forward, updatedAt: new Date().toISOString() };
  await db.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...quickforwardKeys.forward(forward.userId, forward.did), type: 'quickforward', ...saved } }));
  return saved;
}

/** Removes the user's forward of a DID; false when there was none. */
export async function deleteQuickforward(userId: number, did: string): Promise<boolean> {
  const result = await db.send(
    new DeleteCommand({ TableName: TABLE_NAME, Key: quickforwardKeys.forward(userId, did), ReturnValues: 'ALL_OLD' }),
  );
  return !!result.Attributes;
}

/** Every quickforwards method: simple users only. */
export const QUICKFORWARD_ACCESS = {
  user: true,
  denied: NOT_AUTHORIZED_QUICKFORWARDS,
} as const;
