import { formatMicrosShort } from '../../lib/money.js';
import { applyPaging, pagingOf, readLimitFor } from '../../lib/domain/paging.js';
import { collectUsers, type UserList, type UserRecord } from '../../lib/domain/users.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_AUTHORIZED = 'You are not authorized to view this page';

/** Admin/accountant: every user; reseller and partner: the users they own. */
const listFor = (caller: UserRecord): UserList =>
  caller.usertype === 'admin' || caller.usertype === 'accountant' ? 'all' : { ownerId: caller.id };

export const handler = defineMethod({
  method: 'users_get',
  password: 'p-or-uniquehash',
  errorEnvelope: 'status',
  access: {
    admin: true,
    accountant: { permission: 'user_manage', level: 1 },
    reseller: true,
    partner: true,
    denied: NOT_AUTHORIZED,
    notAuthorized: NOT_AUTHORIZED,
  },
  params: { from: field.optional(), max_results: field.optional() },
  async run({ caller, params }) {
    const paging = pagingOf(params);
    const users = await collectUsers(listFor(caller), readLimitFor(paging));
    return {
      page: {
        status: {
          users: {
            user: applyPaging(users, paging).map((user) => ({
              id: user.id,
              username: user.username,
              first_name: user.firstName,
              last_name: user.lastName,
              balance: formatMicrosShort(user.balanceMicros),
              blocked: user.blocked,
              lcr_id: user.lcrId,
              tariff_id: user.tariffId,
              owner_id: user.ownerId,
              usertype: user.usertype,
              hidden: user.hidden,
            })),
          },
        },
      },
    };
  },
});
