import { getDevices } from '../../lib/domain/devices.js';
import { didScopeOf, getProvider, likePattern, MANAGE_DIDS, niceStatus, NOT_AUTHORIZED_DIDS, queryDids, type DidRecord } from '../../lib/domain/dids.js';
import { applyPaging, pagingOf, readLimitFor } from '../../lib/domain/paging.js';
import { getUser, type UserRecord } from '../../lib/domain/users.js';
import { niceDeviceName } from '../../lib/domain/clis.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const niceUser = (user: UserRecord | undefined) =>
  user ? [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username : '';

/** MOR's admin/accountant status filter: free/active only among the admin's DIDs, reserved also means "given to a reseller". */
function statusFilter(status: string, adminView: boolean): (did: DidRecord) => boolean {
  if (!adminView) return (did) => did.status === status;
  if (status === 'free' || status === 'active') return (did) => did.status === status && did.resellerId === 0;
  if (status === 'reserved') return (did) => did.status === 'reserved' || did.resellerId > 0;
  return (did) => did.status === status;
}

export const handler = defineMethod({
  method: 'dids_get',
  errorEnvelope: 'page-status',
  access: {
    admin: true,
    reseller: true,
    user: true,
    accountant: { permission: MANAGE_DIDS, level: 1 },
    notAuthorized: NOT_AUTHORIZED_DIDS,
  },
  params: {
    search_did_number: field.optional(),
    search_status: field.optional(),
    search_did_owner: field.optional(),
    search_dialplan: field.optional(),
    search_user: field.optional(),
    search_device: field.optional(),
    search_provider: field.optional(),
    search_language: field.optional(),
    search_hide_terminated_dids: field.optional(),
    from: field.optional(),
    max_results: field.optional(),
  },
  async run({ caller, params }) {
    const adminView = caller.usertype === 'admin' || caller.usertype === 'accountant';
    const simpleUser = caller.usertype === 'user' || caller.usertype === 'partner';
    const filters: ((did: DidRecord) => boolean)[] = [];
    const number = params.search_did_number ? likePattern(params.search_did_number) : undefined;
    if (number) filters.push((did) => number.test(did.did));
    if (params.search_status) filters.push(statusFilter(params.search_status.toLowerCase(), adminView));
    if (params.search_dialplan && !simpleUser) filters.push((did) => String(did.dialplanId) === params.search_dialplan);
    if (params.search_user) {
      const id = Number(params.search_user);
      filters.push((did) => did.userId === id || (did.resellerId > 0 && did.resellerId === id));
    }
    if (params.search_device && params.search_device !== 'all') filters.push((did) => String(did.deviceId) === params.search_device);
    if (params.search_provider && adminView) filters.push((did) => String(did.providerId) === params.search_provider);
    if (params.search_language && params.search_language !== 'all') filters.push((did) => did.language === params.search_language);
    if (params.search_hide_terminated_dids === '1') filters.push((did) => did.status !== 'terminated');
    const users = new Map<number, Promise<UserRecord | undefined>>();
    const userOf = (id: number) => {
      if (!users.has(id)) users.set(id, getUser(id));
      return users.get(id)!;
    };
    const ownerPattern = params.search_did_owner && adminView ? likePattern(`%${params.search_did_owner}%`) : undefined;

    const paging = pagingOf(params);
    const accept = (did: DidRecord) => filters.every((f) => f(did));
    let dids = await queryDids(didScopeOf(caller), {
      numberPrefix: number ? (number.exact ? `${number.prefix}#` : number.prefix) : undefined,
      accept,
      limit: ownerPattern ? undefined : readLimitFor(paging),
    });
    if (ownerPattern) {
      const owners = await Promise.all(dids.map((did) => (did.userId ? userOf(did.userId) : undefined)));
      dids = dids.filter((did, i) => did.status !== 'free' && ownerPattern.test(niceUser(owners[i])));
    }
    const page = applyPaging(dids, paging);
    if (page.length === 0) throw new MorError('No DIDs found');

    const devices = new Map((await getDevices(page.map((d) => d.deviceId))).map((d) => [d.id, d]));
    const providers = new Map(await Promise.all([...new Set(page.map((d) => d.providerId))].map(async (id) => [id, await getProvider(id)] as const)));
    const rows = await Promise.all(
      page.map(async (did) => {
        const device = devices.get(did.deviceId);
        const comment = caller.usertype === 'reseller' ? did.resellerComment : did.comment;
        return {
          did: did.did,
          provider: caller.usertype === 'reseller' || simpleUser ? undefined : providers.get(did.providerId)?.name ?? '',
          language: did.language,
          status: niceStatus(did.status),
          reseller: adminView && did.resellerId > 0 ? niceUser(await userOf(did.resellerId)) : undefined,
          owner: did.resellerId > 0 && did.userId === 0 ? undefined : did.userId ? niceUser(await userOf(did.userId)) : 'System Admin',
          device: device ? niceDeviceName(device) : '',
          dial_plan: simpleUser ? undefined : '',
          simultaneous_call_limit: did.callLimit === 0 ? 'Unlimited' : did.callLimit,
          comment: comment ? comment.slice(0, 25) : undefined,
          tone_zone: simpleUser ? undefined : did.toneZone,
          id: did.id,
        };
      }),
    );
    return { page: { dids: { did: rows } } };
  },
});
