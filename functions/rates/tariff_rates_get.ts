import { settingOn } from '../../lib/domain/settings.js';
import {
  getTariff, retailGroupsOf, storedZip, wholesaleRatesOf, type TariffRecord,
} from '../../lib/domain/tariffs.js';
import { getUser, type UserRecord } from '../../lib/domain/users.js';
import { formatMicros, formatMicrosShort } from '../../lib/money.js';
import { canManageUser } from '../../lib/pipeline/access.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';
import { renderXml, type XmlNode } from '../../lib/xml.js';
import type { Settings } from '../../lib/domain/settings.js';

const NO_TARIFF = 'No tariff found';
const id = (text: string | undefined) => (text && /^[0-9]{1,15}$/.test(text) ? Number(text) : undefined);

/** `user_id` (not for simple users) → that user's tariff; `tariff_id` (admin/reseller) → that tariff; else the caller's own. */
async function resolveTariff(caller: UserRecord, params: { user_id?: string; tariff_id?: string }, adminSettings: Settings) {
  const mayChoose = caller.usertype !== 'user' && caller.usertype !== 'partner';
  if (mayChoose && params.user_id) {
    const user = await getUser(id(params.user_id) ?? -1);
    if (!user || user.deleted || !canManageUser(caller, user)) throw new MorError(NO_TARIFF);
    return getTariff(user.tariffId);
  }
  if ((caller.usertype === 'admin' || caller.usertype === 'reseller') && params.tariff_id) {
    const tariff = await getTariff(id(params.tariff_id) ?? -1);
    if (!tariff || caller.usertype === 'admin') return tariff;
    const adminTariffAllowed = tariff.ownerId === 0 && tariff.purpose !== 'provider' && settingOn(adminSettings, 'Allow_Resellers_Use_Admin_Tariffs');
    return tariff.ownerId === caller.id || adminTariffAllowed ? tariff : undefined;
  }
  return getTariff(caller.tariffId);
}

const dayTime = (text: string) => text || '';

async function ratesXml(tariff: TariffRecord): Promise<XmlNode> {
  if (tariff.purpose === 'user') {
    const groups = await retailGroupsOf(tariff.id);
    return {
      destination: groups.map((g) => ({
        destination_group_name: g.group,
        rate: g.bands.map((band) => ({
          duration: band.duration === -1 ? 'Infinity' : band.duration,
          type: band.type,
          round_by: band.roundBy,
          tariff_rate: formatMicrosShort(band.priceMicros),
          start_time: dayTime(band.startTime),
          end_time: dayTime(band.endTime),
          daytype: band.daytype,
          from: band.from,
        })),
      })),
    };
  }
  const rates = await wholesaleRatesOf(tariff.id);
  return {
    rate: rates.map((rate) => ({
      direction: rate.direction,
      destination: rate.destination,
      prefix: rate.prefix,
      code: rate.code,
      tariff_rate: formatMicros(rate.rateMicros, 4),
      con_fee: formatMicros(rate.conFeeMicros, 4),
      increment: rate.increment,
      min_time: rate.minTime,
      start_time: rate.startTime,
      end_time: rate.endTime,
      daytype: rate.daytype,
    })),
  };
}

export const handler = defineMethod({
  method: 'tariff_rates_get',
  aliases: ['get_tariff'],
  errorEnvelope: 'page-status',
  unknownCaller: 'Bad login',
  access: { admin: true, reseller: true, accountant: true, partner: true, user: true },
  params: { user_id: field.optional(), tariff_id: field.optional() },
  async run({ caller, params, adminSettings, isTest }) {
    const tariff = await resolveTariff(caller, params, adminSettings);
    if (!tariff) throw new MorError(NO_TARIFF);
    const document: XmlNode = {
      page: {
        pagename: 'Tariff',
        tariff_name: tariff.name,
        purpose: tariff.purpose === 'provider' ? 'provider' : tariff.purpose,
        currency: tariff.currency,
        rates: await ratesXml(tariff),
      },
    };
    if (isTest) return document;
    // MOR sends the export as a zip unless test=1.
    const stamp = Math.floor(Date.now() / 1000);
    const xmlName = `get_tariff_${stamp}.xml`;
    return { file: storedZip(xmlName, Buffer.from(renderXml(document), 'utf8')), contentType: 'application/zip', fileName: `${xmlName}.zip` };
  },
});
