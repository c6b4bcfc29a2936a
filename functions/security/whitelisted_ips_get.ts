import { listAllowEntries, matchesSearch } from '../../lib/domain/ip-allowlist.js';
import { allowListOwner, securityAccess } from '../../lib/domain/security.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { field } from '../../lib/pipeline/validate.js';

/** SETTINGS → Security → Whitelisted IPs as a list; `ip` searches (`%` wildcard). */
export const handler = defineMethod({
  method: 'whitelisted_ips_get',
  errorEnvelope: 'page-status',
  access: securityAccess(1),
  params: { owner_id: field.optional(), ip: field.optional() },
  async run({ params }) {
    const ownerId = await allowListOwner(params.owner_id || undefined);
    const entries = (await listAllowEntries(ownerId, { fresh: true })).filter((entry) => matchesSearch(entry.ip, params.ip));
    return {
      page: {
        whitelisted_ips: {
          whitelisted_ip: entries.map((entry) => ({ id: entry.id, ip: entry.ip, reason: entry.reason, owner_id: entry.ownerId })),
        },
      },
    };
  },
});
