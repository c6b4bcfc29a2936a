import { CLI_NOT_AUTHORISED, cliVisibleTo, deleteCli, findCli } from '../../lib/domain/clis.js';
import { DEVICE_MANAGE } from '../../lib/domain/devices.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const NOT_FOUND = 'CLI was not found';

export const handler = defineMethod({
  method: 'cli_delete',
  errorEnvelope: 'page',
  access: { admin: true, reseller: true, accountant: { permission: DEVICE_MANAGE, level: 2 }, notAuthorized: CLI_NOT_AUTHORISED },
  params: { cli_number: field.required(NOT_FOUND) },
  async run({ caller, params }) {
    const cli = await findCli(params.cli_number);
    if (!cli || !cliVisibleTo(caller, cli)) throw new MorError(NOT_FOUND);
    await deleteCli(cli);
    return { page: { status: 'CLI successfully deleted' } };
  },
});
