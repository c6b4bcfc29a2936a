import { CLI_NOT_AUTHORISED, cliVisibleTo, findCli } from '../../lib/domain/clis.js';
import { DEVICE_MANAGE } from '../../lib/domain/devices.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_FOUND = 'CLI not found';

export const handler = defineMethod({
  method: 'cli_info_get',
  aliases: ['cli_get_info'],
  errorEnvelope: 'page',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 1 }, notAuthorized: CLI_NOT_AUTHORISED },
  params: { cli: field.optional(), domain: field.optional() },
  async run({ caller, params }) {
    const value = params.cli || (params.domain ? `@${params.domain}` : '');
    if (!value) throw new MorError('CLI is empty');
    const cli = await findCli(value);
    if (!cli || !cliVisibleTo(caller, cli)) throw new MorError(NOT_FOUND);
    return { page: { cli: { device: { user_id: cli.userId, device_id: cli.deviceId } } } };
  },
});
