import { CLI_NOT_AUTHORISED, morTime, queryClis, type CliScope } from '../../lib/domain/clis.js';
import { DEVICE_MANAGE, deviceForCaller, userForCaller } from '../../lib/domain/devices.js';
import { listingOwnerId } from '../../lib/pipeline/access.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

export const handler = defineMethod({
  method: 'device_clis_get',
  errorEnvelope: 'page',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 1 }, notAuthorized: CLI_NOT_AUTHORISED },
  params: { devices_id: field.optional(), users_id: field.optional() },
  async run({ caller, params }) {
    const digits = (v: string | undefined) => (v && /^[0-9]+$/.test(v) ? Number(v) : undefined);
    let scope: CliScope = caller.usertype === 'reseller' ? { ownerId: listingOwnerId(caller) } : 'all';
    if (params.users_id) scope = { userId: (await userForCaller(caller, digits(params.users_id) ?? -1, 'User was not found')).id };
    if (params.devices_id) {
      const device = await deviceForCaller(caller, digits(params.devices_id));
      if (params.users_id && device.userId !== digits(params.users_id)) throw new MorError('Device was not found');
      scope = { deviceId: device.id };
    }
    const clis = await queryClis(scope);
    if (clis.length === 0) throw new MorError('CLIs were not found');
    return {
      page: {
        status: clis.map((cli) => ({
          cli_id: cli.id,
          cli_cli: cli.cli || cli.domain,
          cli_device: cli.deviceName,
          cli_description: cli.description,
          cli_added_at: morTime(cli.addedAt),
          cli_updated_at: morTime(cli.updatedAt),
          cli_comment: cli.comment,
          cli_email_callback: cli.emailCallback ? 1 : 0,
          cli_banned: cli.banned ? 1 : 0,
        })),
      },
    };
  },
});
