import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as phonebookEdit } from '../../../functions/phonebooks/phonebook_edit.js';
import { handler as recordCreate } from '../../../functions/phonebooks/phonebook_record_create.js';
import { handler as phonebooksGet } from '../../../functions/phonebooks/phonebooks_get.js';
import { createPhonebookRecord } from '../../../lib/domain/phonebooks.js';
import { callHandler, errorOf } from '../../support/api.js';
import { ADMIN, makeReseller, makeUser, setAdminSettings, type TestUser } from '../../support/world.js';

const asAdmin = { secret: ADMIN.secret };
const list = (xml: any) => [xml.page.phonebooks.phonebook].flat();

describe('phonebook_record_create', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await makeUser('user');
  });
  const create = (u: string, params: Record<string, string>) =>
    callHandler(recordCreate, { u, ...params }, asAdmin);

  it('creates a record for the user itself and for a user by the admin', async () => {
    const own = await create(user.username, { user_id: String(user.id), number: '37011', name: 'Mom', speeddial: '11' });
    expect(own.xml).toEqual({ page: { status: { success: 'Record successfully added' } } });
    const byAdmin = await create('admin', { user_id: String(user.id), number: '37012', name: 'Dad', speeddial: '12' });
    expect(byAdmin.xml.page.status.success).toBe('Record successfully added');
  });

  it('reports the first validation error in MOR wording', async () => {
    const base = { user_id: String(user.id), number: '123', name: 'X', speeddial: '77' };
    const cases: [Record<string, string>, string][] = [
      [{ name: '' }, 'Speed Dial name must be provided'],
      [{ speeddial: '7' }, 'Speed Dial should have at least two digits'],
      [{ number: '' }, 'Record number should have at least one digit'],
      [{ speeddial: '7a' }, 'Speed Dial must be numeric'],
      [{ number: '12b' }, 'Record number must be numeric'],
      [{ speeddial: '11' }, 'Speed dial must be unique'],
    ];
    for (const [change, error] of cases) {
      const answer = await create(user.username, { ...base, ...change });
      expect(answer.xml).toEqual({ page: { status: { error } } });
    }
  });

  it('refuses unknown users, other users, resellers and accountants', async () => {
    expect(errorOf((await create('admin', { user_id: '99999', number: '1', name: 'n', speeddial: '22' })).xml)).toBe('User was not found');
    const other = await makeUser('user');
    expect(errorOf((await create(other.username, { user_id: String(user.id), number: '1', name: 'n', speeddial: '22' })).xml)).toBe('Access Denied');
    const { reseller, secret } = await makeReseller();
    const byReseller = await callHandler(recordCreate, { u: reseller.username, user_id: String(reseller.id), number: '1', name: 'n', speeddial: '22' }, { secret });
    expect(errorOf(byReseller.xml)).toBe('Access Denied');
    const accountant = await makeUser('accountant');
    expect(errorOf((await create(accountant.username, { user_id: String(user.id), number: '1', name: 'n', speeddial: '22' })).xml)).toBe('Access Denied');
    expect(errorOf((await create('admin', { user_id: String(reseller.id), number: '1', name: 'n', speeddial: '22' })).xml)).toBe('Access Denied');
  });

  it('refuses a wrong hash', async () => {
    const answer = await callHandler(recordCreate, { u: 'admin', user_id: '1', number: '1', name: 'n', speeddial: '22', hash: 'bad' });
    expect(errorOf(answer.xml)).toBe('Incorrect hash');
  });

  it('does not let the admin create a global speed dial another user already has', async () => {
    const answer = await create('admin', { user_id: '0', number: '5', name: 'Global', speeddial: '11' });
    expect(errorOf(answer.xml)).toBe('Speed dial must be unique');
  });
});

describe('phonebooks_get', () => {
  it('answers No Phonebooks while there are no global or own records', async () => {
    const user = await makeUser('user');
    expect((await callHandler(phonebooksGet, { u: user.username }, asAdmin)).xml).toEqual({ page: { error: 'No Phonebooks' } });
  });

  it('lists the global records and the own ones by name; a simple user ignores user_id', async () => {
    const user = await makeUser('user');
    const other = await makeUser('user');
    await createPhonebookRecord({ userId: 0, name: 'Zeta global', number: '900', speeddial: '90' });
    await createPhonebookRecord({ userId: user.id, name: 'Alpha', number: '100', speeddial: '10' });
    await createPhonebookRecord({ userId: other.id, name: 'Other', number: '200', speeddial: '20' });
    const answer = await callHandler(phonebooksGet, { u: user.username, user_id: String(other.id) }, asAdmin);
    const records = list(answer.xml);
    expect(records.map((r: any) => r.name)).toEqual(['Alpha', 'Zeta global']);
    expect(records[0]).toEqual({ id: expect.stringMatching(/^\d+$/), name: 'Alpha', number: '100', speeddial: '10' });
    const byAdmin = await callHandler(phonebooksGet, { u: 'admin', user_id: String(other.id) }, asAdmin);
    expect(list(byAdmin.xml).map((r: any) => r.name)).toEqual(['Other', 'Zeta global']);
  });

  it('answers User was not found outside the caller users, and Bad login', async () => {
    const { reseller, user, secret } = await makeReseller();
    const other = await makeReseller();
    const empty = await callHandler(phonebooksGet, { u: reseller.username }, { secret });
    expect(list(empty.xml).map((r: any) => r.name)).toEqual(['Zeta global']);
    const foreign = await callHandler(phonebooksGet, { u: reseller.username, user_id: String(other.user.id) }, { secret });
    expect(foreign.xml).toEqual({ page: { error: 'User was not found' } });
    const ownUser = await callHandler(phonebooksGet, { u: reseller.username, user_id: String(user.id) }, { secret });
    expect(errorOf(ownUser.xml)).toBeUndefined();
    expect(errorOf((await callHandler(phonebooksGet, { u: 'nobody' }, asAdmin)).xml)).toBe('Bad login');
    expect(errorOf((await callHandler(phonebooksGet, { u: 'admin', hash: 'x' })).xml)).toBe('Incorrect hash');
  });

  describe('with the wiki key', () => {
    beforeAll(() => setAdminSettings({ API_Secret_Key: '456789' }));
    afterAll(() => setAdminSettings({ API_Secret_Key: ADMIN.secret }));
    it('accepts the VERIFIED seed hash (user_id=123, key 456789)', async () => {
      const answer = await callHandler(phonebooksGet, { u: 'admin', user_id: '123', hash: 'f7c3bc1d808e04732adf679965ccc34ca7ae3441' });
      expect(errorOf(answer.xml)).toBe('User was not found');
    });
  });
});

describe('phonebook_edit', () => {
  it('changes only the sent values', async () => {
    const user = await makeUser('user');
    const record = await createPhonebookRecord({ userId: user.id, name: 'Old', number: '111', speeddial: '31' });
    const answer = await callHandler(phonebookEdit, { u: user.username, phonebook_id: String(record.id), name: 'New' }, asAdmin);
    expect(answer.xml).toEqual({ page: { status: 'Phonebook saved' } });
    const records = list((await callHandler(phonebooksGet, { u: user.username }, asAdmin)).xml);
    expect(records.find((r: any) => r.id === String(record.id))).toMatchObject({ name: 'New', number: '111', speeddial: '31' });
    const moved = await callHandler(phonebookEdit, { u: 'admin', phonebook_id: String(record.id), speeddial: '32' }, asAdmin);
    expect(moved.xml.page.status).toBe('Phonebook saved');
  });

  it('answers Phonebook was not saved with one message per error', async () => {
    const user = await makeUser('user');
    const record = await createPhonebookRecord({ userId: user.id, name: 'A', number: '111', speeddial: '41' });
    await createPhonebookRecord({ userId: user.id, name: 'B', number: '112', speeddial: '42' });
    const invalid = await callHandler(phonebookEdit, { u: user.username, phonebook_id: String(record.id), number: 'x', speeddial: 'y' }, asAdmin);
    expect(invalid.xml).toEqual({
      page: { error: 'Phonebook was not saved', message: ['Speed Dial should have at least two digits', 'Speed Dial must be numeric', 'Record number must be numeric'] },
    });
    const taken = await callHandler(phonebookEdit, { u: user.username, phonebook_id: String(record.id), speeddial: '42' }, asAdmin);
    expect(taken.xml).toEqual({ page: { error: 'Phonebook was not saved', message: 'Speed dial must be unique' } });
  });

  it('answers Record was not found, Access Denied, Bad login and Incorrect hash', async () => {
    const owner = await makeUser('user');
    const stranger = await makeUser('user');
    const record = await createPhonebookRecord({ userId: owner.id, name: 'A', number: '1', speeddial: '51' });
    expect(errorOf((await callHandler(phonebookEdit, { u: owner.username, phonebook_id: '999999' }, asAdmin)).xml)).toBe('Record was not found');
    expect((await callHandler(phonebookEdit, { u: stranger.username, phonebook_id: String(record.id) }, asAdmin)).xml).toEqual({ page: { error: 'Access Denied' } });
    expect(errorOf((await callHandler(phonebookEdit, { u: 'ghost', phonebook_id: '1' }, asAdmin)).xml)).toBe('Bad login');
    expect(errorOf((await callHandler(phonebookEdit, { u: owner.username, phonebook_id: '1', hash: 'x' })).xml)).toBe('Incorrect hash');
  });

  it('hashes phonebook_id, number, name, speeddial in that order (selenium example)', async () => {
    await setAdminSettings({ API_Secret_Key: 'secret' });
    const answer = await callHandler(phonebookEdit, {
      u: 'admin', phonebook_id: '2', name: 'phonebook4', number: '444', speeddial: '444', hash: '6b697851ea915cb6a5e94a22621300e84da8b51b',
    });
    expect(errorOf(answer.xml)).not.toBe('Incorrect hash');
  });
});
