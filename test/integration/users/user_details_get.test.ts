import { describe, expect, it } from 'vitest';
import { handler as detailsGet } from '../../../functions/users/user_details_get.js';
import { setWarningBalance } from '../../../lib/domain/warning-balance.js';
import { callHandler } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings } from '../../support/world.js';

const asAdmin = (params: Record<string, string>) => callHandler(detailsGet, { u: ADMIN.username, ...params }, { secret: ADMIN.secret });

describe('user_details_get (user_details)', () => {
  it('routes the old name and answers the VERIFIED seed hash (user_id=123, key 456789)', async () => {
    expect(detailsGet.declaration.aliases).toEqual(['user_details']);
    await makeUser('user', { id: 123, firstName: 'John', lastName: 'Smith' });
    await setAdminSettings({ API_Secret_Key: '456789' });
    try {
      const answer = await callHandler(detailsGet, { u: ADMIN.username, user_id: '123', hash: 'f7c3bc1d808e04732adf679965ccc34ca7ae3441' });
      expect(answer.xml.page.userid).toBe('123');
      expect(answer.xml.page.details.other_details.first_name).toBe('John');
    } finally {
      await setAdminSettings({ API_Secret_Key: ADMIN.secret });
    }
  });

  it('shows MOR\'s personal details document, with hidden-for-others elements by caller', async () => {
    const user = await makeUser('user', { firstName: 'John', lastName: 'Smith', balanceMicros: 12_500_000, creditMicros: null, postpaid: true });
    await setWarningBalance(user.id, { active: true, thresholds: { user: 5_000_000, owner: 2_500_000 }, hour: -1 });
    const answer = await asAdmin({ user_id: String(user.id) });
    expect(answer.xml).toEqual({
      page: {
        pagename: 'Personal details',
        language: 'en',
        userid: String(user.id),
        details: {
          main_detail: {
            account: 'Postpaid', balance: '12.5000 USD', balance_number: '12.5', balance_currency: 'USD', credit: 'Unlimited',
            pbx_pool_id: '1', hide_non_answered_calls: '0',
          },
          other_details: {
            username: user.username, first_name: 'John', surname: 'Smith', personalid: '', agreement_number: '',
            agreement_date: user.createdAt.slice(0, 10), vat_reg_number: '', vat_percent: '0.0', call_limit: '0',
          },
          invoices: {
            generate_invoices: '1', invoice_xlsx: '0', simplified_pdf: '1', simplified_csv: '0', detailed_pdf: '0', detailed_csv: '0',
            by_callerid_pdf: '0', by_callerid_csv: '0', by_destinations: '0', calls: '0', show_zero_calls: '0',
          },
          warning_balance: {
            active: '1',
            send_email_when_balance_drops_lower_than: { user: '5.0', admin: '2.5', responsible_accountant: '0.0' },
            warning_email_hour: '-1',
          },
        },
      },
    });
    // The same user reading itself: no admin-only elements, and its own uniquehash.
    const own = await callHandler(detailsGet, { u: user.username, user_id: '1' }, { secret: ADMIN.secret });
    expect(own.xml.page.userid).toBe(String(user.id));
    expect(own.xml.page.uniquehash).toBe(user.uniquehash);
    expect(own.xml.page.details.main_detail.pbx_pool_id).toBeUndefined();
    expect(own.xml.page.details.warning_balance.send_email_when_balance_drops_lower_than.admin).toBeUndefined();
  });

  it('finds by username, by both (which must agree), and the caller itself without either', async () => {
    const user = await makeUser('user');
    expect((await asAdmin({ username: user.username })).xml.page.userid).toBe(String(user.id));
    expect((await asAdmin({ user_id: String(user.id), username: user.username })).xml.page.userid).toBe(String(user.id));
    expect((await asAdmin({ user_id: String(user.id), username: 'someone_else' })).xml).toEqual({ error: 'User was not found' });
    const self = (await asAdmin({})).xml.page;
    expect(self.details.other_details.username).toBe('admin');
    expect(self.uniquehash).toMatch(/^[0-9a-f]{10}$/);
    expect((await asAdmin({ user_id: String(user.id) })).xml.page.uniquehash).toBeUndefined();
  });

  it('answers its documented errors in the bare <error> envelope', async () => {
    expect((await asAdmin({ user_id: '999999' })).xml).toEqual({ error: 'User was not found' });
    expect((await asAdmin({ user_id: 'abc' })).xml).toEqual({ error: 'User was not found' });
    expect((await asAdmin({ username: 'nobody_here' })).xml).toEqual({ error: 'User was not found' });
    expect((await callHandler(detailsGet, { u: 'ghost', user_id: '1' }, { secret: ADMIN.secret })).xml).toEqual({ error: 'Access Denied' });
    const bad = await callHandler(detailsGet, { u: ADMIN.username, user_id: '1', hash: '0'.repeat(40) });
    expect(bad.xml.status?.error ?? bad.xml.error).toBe('Incorrect hash');
  });

  it('keeps tenants apart: reseller B cannot read reseller A\'s user; a simple user only gets itself', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    const asReseller = (r: typeof a, params: Record<string, string>) =>
      callHandler(detailsGet, { u: r.reseller.username, ...params }, { secret: r.secret });
    expect((await asReseller(a, { user_id: String(a.user.id) })).xml.page.userid).toBe(String(a.user.id));
    expect((await asReseller(b, { user_id: String(a.user.id) })).xml).toEqual({ error: 'User was not found' });
    expect((await asReseller(b, { username: a.user.username })).xml).toEqual({ error: 'User was not found' });
    expect((await asReseller(a, { user_id: String(a.reseller.id) })).xml.page.uniquehash).toBe(a.reseller.uniquehash);
    const other = await makeUser('user');
    const simple = await makeUser('user');
    const answer = await callHandler(detailsGet, { u: simple.username, user_id: String(other.id) }, { secret: ADMIN.secret });
    expect(answer.xml.page.userid).toBe(String(simple.id));
    const accountant = await makeUser('accountant');
    const own = await callHandler(detailsGet, { u: accountant.username, user_id: String(other.id) }, { secret: ADMIN.secret });
    expect(own.xml.page.userid).toBe(String(accountant.id));
    expect(own.xml.page.details.invoices).toBeUndefined();
  });
});
