import { beforeAll, describe, expect, it } from 'vitest';
import { handler as create } from '../../../functions/credit_notes/credit_note_create.js';
import { handler as update } from '../../../functions/credit_notes/credit_note_update.js';
import { handler as remove } from '../../../functions/credit_notes/credit_note_delete.js';
import { handler as list } from '../../../functions/credit_notes/credit_notes_get.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

const admin: { u: string } = { u: ADMIN.username };
const asAdmin: { secret: string } = { secret: ADMIN.secret };
const notesOf = (xml: Record<string, any>): any[] => [xml.page?.credit_notes?.credit_note ?? []].flat();

async function createNote(params: Record<string, string>, caller = admin, options = asAdmin) {
  return callHandler(create, { ...caller, issue_date: '1735689600', price: '10', ...params }, options);
}

/** The id of the newest note of `userId` (ids are in creation order). */
async function lastNoteId(userId: number): Promise<string> {
  const { body } = await callHandler(list, { ...admin, user_id: String(userId) }, asAdmin);
  expect(body).toContain('<credit_note>');
  // credit_notes_get does not print ids (MOR does not); read them through the domain.
  const { creditNotesOfUser } = await import('../../../lib/domain/credit-notes.js');
  const notes = await creditNotesOfUser(userId);
  return String(notes.at(-1)!.id);
}

let user: TestUser;
beforeAll(async () => {
  user = await makeUser('user', { extra: { taxes: { compound: false, taxes: [{ name: 'VAT', percent: '21', enabled: true }] } } });
});

describe('credit_note_create', () => {
  it('creates a note with price_with_vat from the user VAT, shown by credit_notes_get', async () => {
    const answer = await createNote({ user_id: String(user.id), number: 'CN-1', price: '10.5', comment: 'refund' });
    expect(answer.xml).toEqual({ page: { status: 'Credit note was created' } });
    const notes = notesOf((await callHandler(list, { ...admin, user_id: String(user.id) }, asAdmin)).xml);
    expect(notes).toEqual([
      { user_id: String(user.id), issue_date: '2025-01-01', number: 'CN-1', comment: 'refund', price: '10.5', price_with_vat: '12.705', pay_date: '' },
    ]);
  });

  it('answers every documented error', async () => {
    expect(errorOf((await createNote({ user_id: '999999' })).xml)).toBe('User was not found');
    expect(errorOf((await createNote({})).xml)).toBe('User was not found');
    expect(errorOf((await createNote({ user_id: String(user.id), price: '' })).xml)).toBe('Credit note was not created');
    expect(errorOf((await createNote({ user_id: String(user.id), price: 'ten' })).xml)).toBe('Credit note was not created');
    expect(errorOf((await createNote({ user_id: String(user.id), price: '-1' })).xml)).toBe('Credit note was not created');
    expect(errorOf((await createNote({ user_id: String(user.id), issue_date: '' })).xml)).toBe('Credit note was not created');
    expect(errorOf((await createNote({ user_id: String(user.id) }, admin, { secret: 'wrong' })).xml)).toBe('Incorrect hash');
    const badLogin = await createNote({ user_id: String(user.id) }, { u: 'nobody' });
    expect(badLogin.xml).toEqual({ page: { error: 'Bad login' } });
  });

  it('hashes user_id and number (the VERIFIED wiki example: user_id=123, key 456789)', async () => {
    await setAdminSettings({ API_Secret_Key: '456789' });
    try {
      const answer = await callHandler(create, { ...admin, user_id: '123', price: '1', issue_date: '214543', hash: 'f7c3bc1d808e04732adf679965ccc34ca7ae3441' });
      expect(errorOf(answer.xml)).toBe('User was not found'); // past the hash check
    } finally {
      await setAdminSettings({ API_Secret_Key: ADMIN.secret });
    }
    const withNumber = await callHandler(create, { ...admin, user_id: String(user.id), number: 'N2', price: '1', issue_date: '1' }, asAdmin);
    expect(withNumber.xml.page.status).toBe('Credit note was created');
  });

  it('keeps resellers inside their own users, and refuses simple users and accountants without rights', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    const asA = { u: a.reseller.username };
    expect((await createNote({ user_id: String(a.user.id) }, asA, { secret: a.secret })).xml.page.status).toBe('Credit note was created');
    expect(errorOf((await createNote({ user_id: String(b.user.id) }, asA, { secret: a.secret })).xml)).toBe('User was not found');
    expect(errorOf((await createNote({ user_id: String(user.id) }, asA, { secret: a.secret })).xml)).toBe('User was not found');

    const simple = await makeUser('user');
    expect(errorOf((await createNote({ user_id: String(simple.id) }, { u: simple.username })).xml)).toBe('Access Denied');

    const readOnly = await makeUser('accountant', { permissions: { invoices_manage: 1, can_see_finances: 1 } });
    const noInvoices = await makeUser('accountant', { permissions: { can_see_finances: 2 } });
    const editor = await makeUser('accountant', { permissions: { invoices_manage: 1, can_see_finances: 2 } });
    const notAuthorized = 'You are not authorized to use this functionality';
    expect(errorOf((await createNote({ user_id: String(user.id) }, { u: readOnly.username })).xml)).toBe(notAuthorized);
    expect(errorOf((await createNote({ user_id: String(user.id) }, { u: noInvoices.username })).xml)).toBe(notAuthorized);
    expect((await createNote({ user_id: String(user.id) }, { u: editor.username })).xml.page.status).toBe('Credit note was created');
  });
});

describe('credit_note_update', () => {
  it('marks paid (sets pay_date), unpaid (clears it) and changes the comment', async () => {
    const target = await makeUser('user');
    await createNote({ user_id: String(target.id), price: '5' });
    const id = await lastNoteId(target.id);
    const paid = await callHandler(update, { ...admin, credit_note_id: id, status: 'paid', comment: 'settled' }, asAdmin);
    expect(paid.xml).toEqual({ page: { status: 'Credit note was updated' } });
    let note = notesOf((await callHandler(list, { ...admin, credit_note_id: id }, asAdmin)).xml)[0];
    expect(note.comment).toBe('settled');
    expect(note.pay_date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await callHandler(update, { ...admin, credit_note_id: id, status: 'unpaid' }, asAdmin);
    note = notesOf((await callHandler(list, { ...admin, credit_note_id: id }, asAdmin)).xml)[0];
    expect(note).toMatchObject({ pay_date: '', comment: 'settled' });
  });

  it('answers every documented error', async () => {
    const target = await makeUser('user');
    await createNote({ user_id: String(target.id) });
    const id = await lastNoteId(target.id);
    expect(errorOf((await callHandler(update, { ...admin, credit_note_id: '999999', status: 'paid' }, asAdmin)).xml)).toBe('Credit note was not found');
    expect(errorOf((await callHandler(update, { ...admin, status: 'paid' }, asAdmin)).xml)).toBe('Credit note was not found');
    expect(errorOf((await callHandler(update, { ...admin, credit_note_id: id, status: 'maybe' }, asAdmin)).xml)).toBe('Credit note was not saved');
    expect(errorOf((await callHandler(update, { ...admin, credit_note_id: id, status: 'paid' }, { secret: 'x' })).xml)).toBe('Incorrect hash');
    expect(errorOf((await callHandler(update, { u: 'nobody', credit_note_id: id }, asAdmin)).xml)).toBe('Bad login');
  });

  it("does not let reseller B change reseller A's note", async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    await createNote({ user_id: String(a.user.id) }, { u: a.reseller.username }, { secret: a.secret });
    const id = await lastNoteId(a.user.id);
    const denied = await callHandler(update, { u: b.reseller.username, credit_note_id: id, status: 'paid' }, { secret: b.secret });
    expect(errorOf(denied.xml)).toBe('Credit note was not found');
    const own = await callHandler(update, { u: a.reseller.username, credit_note_id: id, status: 'paid' }, { secret: a.secret });
    expect(own.xml.page.status).toBe('Credit note was updated');
  });
});

describe('credit_note_delete', () => {
  it('deletes, then answers not found; tenancy and errors', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    await createNote({ user_id: String(a.user.id) }, { u: a.reseller.username }, { secret: a.secret });
    const id = await lastNoteId(a.user.id);
    const del = (u: string, secret: string, params: Record<string, string> = { credit_note_id: id }) => callHandler(remove, { u, ...params }, { secret });
    expect(errorOf((await del(b.reseller.username, b.secret)).xml)).toBe('Credit note was not found');
    expect(errorOf((await del(a.reseller.username, 'wrong')).xml)).toBe('Incorrect hash');
    expect(errorOf((await del('nobody', ADMIN.secret)).xml)).toBe('Bad login');
    expect((await del(a.reseller.username, a.secret)).xml).toEqual({ page: { status: 'Credit note was deleted' } });
    expect(errorOf((await del(a.reseller.username, a.secret)).xml)).toBe('Credit note was not found');
    expect(errorOf((await del(a.reseller.username, a.secret, {})).xml)).toBe('Credit note was not found');
  });

  it('hashes only the key (newest wiki text)', async () => {
    await setAdminSettings({ API_Secret_Key: '456789' });
    try {
      const answer = await callHandler(remove, { ...admin, credit_note_id: '123', hash: 'df2983700ffecb52e6649f0cb3981b66537083a4' });
      expect(errorOf(answer.xml)).toBe('Credit note was not found');
    } finally {
      await setAdminSettings({ API_Secret_Key: ADMIN.secret });
    }
  });
});

describe('credit_notes_get (alias credit_notes)', () => {
  it('is routed under its old name', () => {
    expect(list.declaration.aliases).toEqual(['credit_notes']);
  });

  it('lists per tenancy: reseller its users, simple user its own, admin owner-0 users', async () => {
    const a = await makeReseller();
    const b = await makeReseller();
    await createNote({ user_id: String(a.user.id), number: 'A' }, { u: a.reseller.username }, { secret: a.secret });
    await createNote({ user_id: String(b.user.id), number: 'B' }, { u: b.reseller.username }, { secret: b.secret });

    const ofA = notesOf((await callHandler(list, { u: a.reseller.username }, { secret: a.secret })).xml);
    expect(ofA.map((n) => n.number)).toEqual(['A']);
    const aAsksB = await callHandler(list, { u: a.reseller.username, user_id: String(b.user.id) }, { secret: a.secret });
    expect(aAsksB.xml).toEqual({ page: { credit_notes: '' } });

    const ownUser = notesOf((await callHandler(list, { u: a.user.username }, { secret: a.secret })).xml);
    expect(ownUser.map((n) => n.number)).toEqual(['A']);
    const userAsksOther = await callHandler(list, { u: a.user.username, user_id: String(user.id) }, { secret: a.secret });
    expect(notesOf(userAsksOther.xml)).toEqual([]);

    const adminAll = notesOf((await callHandler(list, admin, asAdmin)).xml);
    expect(adminAll.every((n) => n.user_id !== String(a.user.id))).toBe(true);
    expect(adminAll.some((n) => n.user_id === String(user.id))).toBe(true);
  });

  it('hashes user_id (VERIFIED example) and answers Bad login / Incorrect hash', async () => {
    await setAdminSettings({ API_Secret_Key: '456789' });
    try {
      const answer = await callHandler(list, { ...admin, user_id: '123', hash: 'f7c3bc1d808e04732adf679965ccc34ca7ae3441' });
      expect(answer.xml).toEqual({ page: { credit_notes: '' } });
    } finally {
      await setAdminSettings({ API_Secret_Key: ADMIN.secret });
    }
    expect(errorOf((await callHandler(list, { ...admin, user_id: '1' }, { secret: 'bad' })).xml)).toBe('Incorrect hash');
    expect(errorOf((await callHandler(list, { u: 'nobody' }, asAdmin)).xml)).toBe('Bad login');
  });

  it('shows an accountant without "see financial data" only user_id, price, issue_date, number and comment', async () => {
    const blind = await makeUser('accountant', { permissions: { invoices_manage: 1 } });
    const notes = notesOf((await callHandler(list, { u: blind.username, user_id: String(user.id) }, asAdmin)).xml);
    expect(notes.length).toBeGreaterThan(0);
    expect(Object.keys(notes[0]).sort()).toEqual(['comment', 'issue_date', 'number', 'price', 'user_id']);
    const noRight = await makeUser('accountant', { permissions: {} });
    expect(errorOf((await callHandler(list, { u: noRight.username }, asAdmin)).xml)).toBe('You are not authorized to use this functionality');
  });
});
