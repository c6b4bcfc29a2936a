import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as statements } from '../../../functions/invoices/financial_statements_get.js';
import { createCreditNote, updateCreditNote } from '../../../lib/domain/credit-notes.js';
import { createInvoice } from '../../../lib/domain/invoices.js';
import { createPayment } from '../../../lib/domain/payments.js';
import { parseMicros } from '../../../lib/money.js';
import { callHandler } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

const parser = new XMLParser({ ignoreDeclaration: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });
const parse = (body: string) => parser.parse(body) as Record<string, any>;
const asAdmin = { secret: ADMIN.secret };
const today = () => new Date().toISOString().slice(0, 10);
const nowUnix = () => String(Math.floor(Date.now() / 1000));
const PERIOD = () => ({ date_from: String(Math.floor(Date.now() / 1000) - 86_400), date_till: nowUnix() });
const linesOf = (body: string): any[] => [parse(body).page?.financial_statement?.statement ?? []].flat();
const VAT = { compound: false, taxes: [{ name: 'VAT', percent: '21', enabled: true }] };

async function pay(user: TestUser, amount: string, completed = true) {
  return createPayment({
    user, paymentType: 'manual', currency: 'USD', amountMicros: parseMicros(amount), taxMicros: parseMicros(amount) / 10n,
    feeMicros: 0n, balanceDeltaMicros: parseMicros(amount), transactionId: '', payerEmail: '', description: '',
    commentsForUser: '', completed, pendingReason: '', prepaidFloor: false,
  });
}

let user: TestUser;
let other: TestUser;
let reseller: Awaited<ReturnType<typeof makeReseller>>;

beforeAll(async () => {
  user = await makeUser('user', { extra: { taxes: VAT } });
  other = await makeUser('user');
  reseller = await makeReseller();
  const day = today();
  await createInvoice({ user, periodStart: day, periodEnd: day, issueDate: day, paid: true, products: [{ name: 'x', priceMicros: parseMicros('10') }] });
  await createInvoice({ user, periodStart: day, periodEnd: day, issueDate: day, products: [{ name: 'y', priceMicros: parseMicros('5') }] });
  await createInvoice({ user: other, periodStart: day, periodEnd: day, issueDate: day, products: [{ name: 'z', priceMicros: parseMicros('1') }] });
  const note = await createCreditNote({ user, price: '2', issueDate: nowUnix() });
  await updateCreditNote(note.id, { status: 'paid' });
  await pay(user, '20');
  await pay(user, '7', false);
  await createInvoice({ user: reseller.user, periodStart: day, periodEnd: day, issueDate: day, products: [{ name: 'r', priceMicros: parseMicros('3') }] });
});

describe('financial_statements_get (alias financial_statements)', () => {
  it("totals one user's invoices, credit notes and payments by status, in MOR's shape", async () => {
    const answer = await callHandler(statements, { u: 'admin', user_id: String(user.id), ...PERIOD() }, asAdmin);
    const doc = parse(answer.body);
    expect(doc.page.financial_statement['@_currency']).toBe('USD');
    expect(linesOf(answer.body)).toEqual([
      { '@_type': 'invoices', status: 'paid', count: '1', price: '10.00', price_with_vat: '12.10' },
      { '@_type': 'invoices', status: 'unpaid', count: '1', price: '5.00', price_with_vat: '6.05' },
      { '@_type': 'credit_notes', status: 'paid', count: '1', price: '2.00', price_with_vat: '2.42' },
      { '@_type': 'payments', status: 'paid', count: '1', price: '20.00', price_with_vat: '22.00' },
      { '@_type': 'payments', status: 'unpaid', count: '1', price: '7.00', price_with_vat: '7.70' },
    ]);
    const unpaid = linesOf((await callHandler(statements, { u: 'admin', user_id: String(user.id), status: 'unpaid', ...PERIOD() }, asAdmin)).body);
    expect(unpaid.map((l) => `${l['@_type']}:${l.status}`)).toEqual(['invoices:unpaid', 'payments:unpaid']);
  });

  it('sums every owner-0 user without user_id; a reseller gets its own users only', async () => {
    const all = linesOf((await callHandler(statements, { u: 'admin', ...PERIOD() }, asAdmin)).body);
    expect(all.find((l) => l['@_type'] === 'invoices' && l.status === 'unpaid')).toMatchObject({ count: '2', price: '6.00' });
    const ofReseller = linesOf((await callHandler(statements, { u: reseller.reseller.username, ...PERIOD() }, { secret: reseller.secret })).body);
    expect(ofReseller).toEqual([{ '@_type': 'invoices', status: 'unpaid', count: '1', price: '3.00', price_with_vat: '3.00' }]);
  });

  it('shows a simple user only its own data (user_id ignored)', async () => {
    const mine = linesOf((await callHandler(statements, { u: other.username, user_id: String(user.id), ...PERIOD() }, asAdmin)).body);
    expect(mine).toEqual([{ '@_type': 'invoices', status: 'unpaid', count: '1', price: '1.00', price_with_vat: '1.00' }]);
  });

  it('answers Access Denied for a user outside the caller, Bad login for an unknown u or an accountant without rights, and Incorrect hash', async () => {
    const denied = await callHandler(statements, { u: reseller.reseller.username, user_id: String(user.id) }, { secret: reseller.secret });
    expect(parse(denied.body)).toEqual({ page: { error: 'Access Denied' } });
    expect(parse((await callHandler(statements, { u: 'nobody' }, asAdmin)).body)).toEqual({ status: { error: 'Bad login' } });
    const weak = await makeUser('accountant', { permissions: { invoices_manage: 1, payments_manage: 1 } });
    expect(parse((await callHandler(statements, { u: weak.username }, asAdmin)).body)).toEqual({ page: { error: 'Bad login' } });
    const strong = await makeUser('accountant', { permissions: { invoices_manage: 1, payments_manage: 1, can_see_finances: 1 } });
    expect(linesOf((await callHandler(statements, { u: strong.username, ...PERIOD() }, asAdmin)).body).length).toBeGreaterThan(0);
    expect(parse((await callHandler(statements, { u: 'admin', user_id: '1', hash: 'bad' })).body)).toEqual({ status: { error: 'Incorrect hash' } });
  });

  it('accepts the VERIFIED wiki hash (user_id=123, key 456789) and the old name', async () => {
    await setAdminSettings({ API_Secret_Key: '456789' });
    try {
      const answer = await callHandler(statements, { u: 'admin', user_id: '123', hash: 'f7c3bc1d808e04732adf679965ccc34ca7ae3441' });
      expect(parse(answer.body)).toEqual({ page: { error: 'Access Denied' } }); // past the hash: user 123 does not exist
    } finally {
      await setAdminSettings({ API_Secret_Key: ADMIN.secret });
    }
    expect(statements.declaration.aliases).toEqual(['financial_statements']);
  });
});
