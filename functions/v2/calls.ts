import { CallsNotVisible } from '../../lib/domain/calls-query.js';
import { searchCallsFor, systemCurrency } from '../../lib/domain/calls-search-params.js';
import { callsHeader, callsStatHead, jsonCall } from '../../lib/domain/calls-view.js';
import { defineRestRoute, RestError } from '../../lib/v2/define-route.js';
import { callsQuerySchema, callsResponseSchema } from '../../lib/v2/schemas.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export const handler = defineRestRoute({
  route: 'GET /billing/api/v2/calls',
  summary: 'Calls in a period for a user/device (the filters of user_calls_get), paged by limit/page.',
  auth: 'bearer',
  query: callsQuerySchema,
  response: callsResponseSchema,
  async run({ caller, query, adminSettings }) {
    const { limit: rawLimit, page: rawPage, ...filters } = query;
    const limit = Math.min(Math.max(Number(rawLimit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
    const result = await searchCallsFor(caller, filters, adminSettings).catch((error) => {
      if (error instanceof CallsNotVisible) throw new RestError(403, 'Access Denied');
      throw error;
    });
    const pages = Math.max(1, Math.ceil(result.total / limit));
    const page = Math.max(Number(rawPage ?? 1), 1);
    const slice = result.all.slice((page - 1) * limit, page * limit);
    return {
      body: {
        calls: {
          ...callsHeader(caller, result.total),
          limit,
          max_limit: MAX_LIMIT,
          page: `${page}/${pages}`,
          currency: systemCurrency(adminSettings),
          calls_stat: {
            ...callsStatHead(result),
            calls: slice.map((call) => jsonCall(call, caller, result.names)),
          },
        },
      },
    };
  },
});
