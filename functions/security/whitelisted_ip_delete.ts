import { deleteAllowEntry, listAllowEntries, parseAllowInput } from '../../lib/domain/ip-allowlist.js';
import { allowListOwner, SECURITY_TEXT, securityAccess } from '../../lib/domain/security.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** Removes one entry, named by its `id` or by its `ip` (a subnet in any spelling of it). */
export const handler = defineMethod({
  method: 'whitelisted_ip_delete',
  errorEnvelope: 'page-status',
  access: securityAccess(2),
  params: { owner_id: field.optional(), id: field.optional(), ip: field.optional() },
  async run({ params }) {
    const ownerId = await allowListOwner(params.owner_id || undefined);
    const canonical = params.ip ? parseAllowInput(params.ip) : undefined;
    const entries = await listAllowEntries(ownerId, { fresh: true });
    const entry = entries.find((e) =>
      params.id ? String(e.id) === params.id : canonical?.length === 1 && e.ip === canonical[0]);
    if (!entry) throw new MorError(SECURITY_TEXT.ipNotFound);
    await deleteAllowEntry(entry);
    return { page: { status: { success: SECURITY_TEXT.ipDeleted } } };
  },
});
