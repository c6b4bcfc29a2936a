import { addAllowEntries, DEFAULT_REASON, parseAllowInput } from '../../lib/domain/ip-allowlist.js';
import { allowListOwner, SECURITY_TEXT, securityAccess } from '../../lib/domain/security.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

/** Whitelists a single IP, a CIDR subnet (stored canonical) or an `x.x.x.a-b` range (one entry per address). */
export const handler = defineMethod({
  method: 'whitelisted_ip_add',
  errorEnvelope: 'page-status',
  access: securityAccess(2),
  params: { owner_id: field.optional(), ip: field.required(SECURITY_TEXT.ipInvalid), reason: field.optional() },
  async run({ params }) {
    const ownerId = await allowListOwner(params.owner_id || undefined);
    const ips = parseAllowInput(params.ip);
    if (!ips) throw new MorError(SECURITY_TEXT.ipInvalid);
    const created = await addAllowEntries(ownerId, ips, params.reason?.trim() || DEFAULT_REASON);
    if (created.length === 0) throw new MorError(SECURITY_TEXT.ipAlreadyWhitelisted);
    return {
      page: {
        status: { success: SECURITY_TEXT.ipAdded },
        whitelisted_ips: {
          whitelisted_ip: created.map((entry) => ({ id: entry.id, ip: entry.ip, reason: entry.reason, owner_id: entry.ownerId })),
        },
      },
    };
  },
});
