import { callbackAddonOn, initCallback } from '../../lib/domain/callback.js';
import { getDevice } from '../../lib/domain/devices.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { ERR } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** MOR answers callbacks with a bare `<status>` text, errors included. */
const status = (text: string) => ({ status: text });

export const handler = defineMethod({
  method: 'callback_init',
  aliases: ['callback'],
  errorEnvelope: 'status-text',
  unknownCaller: 'Not authenticated',
  // Hash-only (MOR's permission groups do not apply); the device check below is the access rule.
  access: { admin: true, accountant: true, reseller: true, partner: true, user: true },
  params: {
    device: field.optional(),
    src: field.optional(),
    dst: field.optional(),
    cli_lega: field.optional(),
    cli_legb: field.optional(),
    card_pin: field.optional(),
    lega_tariff_id: field.optional(),
    lega_reseller_tariff_id: field.optional(),
    lega_lcr_id: field.optional(),
    server_id: field.optional(),
    callback_uniqueid: field.optional(),
  },
  async run({ caller, params, adminSettings }) {
    if (!callbackAddonOn(adminSettings)) return status(ERR.accessDenied);
    const device = params.device && /^\d+$/.test(params.device) ? await getDevice(Number(params.device)) : undefined;
    if (!device || (caller.usertype !== 'admin' && device.userId !== caller.id)) return status('Bad device');
    if (!params.src) return status('No source');
    const request = await initCallback(
      {
        userId: device.userId,
        deviceId: device.id,
        src: params.src,
        dst: params.dst ?? '',
        cliLegA: params.cli_lega ?? '',
        cliLegB: params.cli_legb ?? '',
        cardPin: params.card_pin ?? '',
        legATariffId: params.lega_tariff_id ?? '',
        legAResellerTariffId: params.lega_reseller_tariff_id ?? '',
        legALcrId: params.lega_lcr_id ?? '',
        serverId: params.server_id ?? '',
      },
      device.callerIdNumber,
    );
    if (params.callback_uniqueid === '1') return { page: { status: 'ok', callback_uniqueid: request.uniqueid } };
    return status('Ok');
  },
});
