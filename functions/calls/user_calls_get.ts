import { applyPaging, pagingOf } from '../../lib/domain/paging.js';
import { CallsNotVisible } from '../../lib/domain/calls-query.js';
import { CALL_FILTER_NAMES, searchCallsFor, systemCurrency } from '../../lib/domain/calls-search-params.js';
import { callsHeader, callsStatHead, xmlCall } from '../../lib/domain/calls-view.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const filterParams = Object.fromEntries(CALL_FILTER_NAMES.map((name) => [name, field.optional()])) as Record<
  (typeof CALL_FILTER_NAMES)[number],
  ReturnType<typeof field.optional>
>;

export const handler = defineMethod({
  method: 'user_calls_get',
  aliases: ['user_calls'],
  errorEnvelope: 'bare',
  access: { admin: true, accountant: true, reseller: true, partner: true, user: true },
  params: { ...filterParams, from: field.optional(), max_results: field.optional() },
  async run({ caller, params, adminSettings }) {
    const result = await searchCallsFor(caller, params, adminSettings).catch((error) => {
      if (error instanceof CallsNotVisible) throw new MorError('User was not found');
      throw error;
    });
    const calls = applyPaging(result.all, pagingOf(params));
    return {
      page: {
        ...callsHeader(caller, result.total),
        currency: systemCurrency(adminSettings),
        calls_stat: {
          ...callsStatHead(result),
          show_destination: result.echo.destination || undefined,
          calls: calls.length ? { call: calls.map((call) => xmlCall(call, caller, result.names)) } : undefined,
        },
      },
    };
  },
});
