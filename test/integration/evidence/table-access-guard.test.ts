/**
 * The guard behind every integration test (test/support/table-access-guard.ts) really catches a request
 * outside a function's role, and every method's actual requests in a representative call fit its role.
 */
import { describe, expect, inject, it } from 'vitest';
import { handler as userBalanceUpdate } from '../../../functions/balance/user_balance_update.js';
import { handler as usersGet } from '../../../functions/users/users_get.js';
import { callHandler } from '../../support/api.js';
import { takeTableAccessViolations, useTableAccessMap } from '../../support/table-access-guard.js';
import { ADMIN, makeUser } from '../../support/world.js';

describe('table access guard', () => {
  const real = inject('tableAccess');

  it('knows every method and keeps reading methods from writing', () => {
    expect(Object.keys(real).length).toBeGreaterThan(80);
    expect(real.users_get).not.toContain('dynamodb:UpdateItem');
    expect(real.user_balance_update).toContain('dynamodb:UpdateItem');
  });

  it('records a request the role does not grant', async () => {
    const user = await makeUser('user');
    try {
      await useTableAccessMap({ ...real, user_balance_update: real.user_balance_update!.filter((a) => a !== 'dynamodb:UpdateItem') });
      await callHandler(userBalanceUpdate, { u: ADMIN.username, user_id: String(user.id), balance: '1' }, { secret: ADMIN.secret });
      expect(takeTableAccessViolations()).toContain('user_balance_update made dynamodb:UpdateItem, which its role does not grant');
    } finally {
      await useTableAccessMap(real);
    }
  });

  it('lets a method do what its role grants', async () => {
    await callHandler(usersGet, { u: ADMIN.username, p: ADMIN.password }, { secret: ADMIN.secret });
    expect(takeTableAccessViolations()).toEqual([]);
  });
});
