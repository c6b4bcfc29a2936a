import { settingOn } from '../../lib/domain/settings.js';
import { getTariff, lookupRate } from '../../lib/domain/tariffs.js';
import { findUserByUsername, getUser, type UserRecord } from '../../lib/domain/users.js';
import { formatMicrosShort } from '../../lib/money.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_AUTHORIZED = 'You are not authorized to view this page';
const RATE_NOT_FOUND = 'Rate was not found';
const USER_NOT_FOUND = 'User was not found';

/** Whose rate: a simple user always its own; admin/accountant the admin's users; a reseller itself and its users. */
async function targetUser(caller: UserRecord, username: string | undefined): Promise<UserRecord> {
  if (caller.usertype === 'user') return caller;
  const target = username ? await findUserByUsername(username) : undefined;
  if (!target || target.deleted) throw new MorError(USER_NOT_FOUND);
  if (caller.usertype === 'reseller') {
    if (target.id !== caller.id && target.ownerId !== caller.id) throw new MorError(USER_NOT_FOUND);
    return target;
  }
  if (target.usertype === 'admin' || target.usertype === 'accountant') throw new MorError(RATE_NOT_FOUND);
  if (target.ownerId !== 0) throw new MorError(`User belongs to ${(await getUser(target.ownerId))?.username ?? ''}`);
  return target;
}

export const handler = defineMethod({
  method: 'rate_get',
  aliases: ['rate'],
  errorEnvelope: 'page',
  access: {
    admin: true,
    reseller: true,
    user: true,
    accountant: { anyOf: ['Tariff_manage', 'see_financial_data'], level: 1 },
    notAuthorized: NOT_AUTHORIZED,
  },
  params: { username: field.optional(), prefix: field.optional(), by_full_dst: field.optional() },
  async run({ caller, params, ownerSettings, adminSettings }) {
    if (!settingOn(ownerSettings, 'Devices_Check_Rate')) throw new MorError('Feature disabled');
    if (caller.usertype === 'user' && !settingOn(adminSettings, 'Show_Rates_For_Users')) throw new MorError(NOT_AUTHORIZED);
    const digits = (params.prefix ?? '').replace(/[^0-9]/g, '');
    if (!digits) throw new MorError('Empty prefix');
    const user = await targetUser(caller, params.username);
    const tariff = await getTariff(user.tariffId);
    if (!tariff) throw new MorError(RATE_NOT_FOUND);
    const found = await lookupRate(tariff, digits);
    if (found === 'prefix-not-found') throw new MorError('Prefix was not found');
    if (found === 'group-not-found') throw new MorError('Destination Group was not found');
    if (found === 'rate-not-found') throw new MorError(RATE_NOT_FOUND);
    return { page: { rate: `${formatMicrosShort(found.price)}#${found.destination}#${found.prefix}` } };
  },
});
