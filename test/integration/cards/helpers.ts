/** Shared steps of the calling-card tests: a group and a range of cards through the API itself. */
import { handler as ccGroupCreate } from '../../../functions/cards/cc_group_create.js';
import { handler as callingCardsCreate } from '../../../functions/cards/calling_cards_create.js';
import { handler as ccGroupsGet } from '../../../functions/cards/cc_groups_get.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, uniqueName } from '../../support/world.js';

export interface Caller {
  u: string;
  secret: string;
}

export const ADMIN_CALLER: Caller = { u: ADMIN.username, secret: ADMIN.secret };

export async function call(handler: Parameters<typeof callHandler>[0], caller: Caller, params: Record<string, string> = {}) {
  return callHandler(handler, { u: caller.u, ...params }, { secret: caller.secret });
}

export const errorText = async (handler: Parameters<typeof callHandler>[0], caller: Caller, params: Record<string, string> = {}) =>
  errorOf((await call(handler, caller, params)).xml);

/** Creates a group and answers its id (found by name through cc_groups_get). */
export async function createGroup(caller: Caller, params: Record<string, string> = {}): Promise<number> {
  const name = params.name ?? uniqueName('cg');
  const created = await call(ccGroupCreate, caller, { ...params, name });
  if (errorOf(created.xml)) throw new Error(`cc_group_create: ${errorOf(created.xml)}`);
  const groups = [(await call(ccGroupsGet, caller)).xml.page.cc_groups.cc_group].flat();
  return Number(groups.find((g: any) => g.group_name === name).group_id);
}

export async function createCards(caller: Caller, groupId: number, from: string, till: string, extra: Record<string, string> = {}) {
  const answer = await call(callingCardsCreate, caller, { card_group_id: String(groupId), cards_from: from, cards_till: till, ...extra });
  return answer.xml.page?.status?.success ?? errorOf(answer.xml);
}
