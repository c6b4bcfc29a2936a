import { analyseBulk, applyBulk, BULK_ACTIONS, BULK_MAX_DIDS, csvNumbers, DidChangedError, MANAGE_DIDS, NOT_AUTHORIZED_DIDS, type BulkAction, type BulkOptions } from '../../lib/domain/dids.js';
import { defineMethod } from '../../lib/pipeline/define-method.js';
import { MorError } from '../../lib/pipeline/errors.js';
import { field } from '../../lib/pipeline/validate.js';

const COUNT = /^[0-9]{1,9}$/;
const FLAG = (name: string) => field.optionalOneOf(['0', '1'], `${name} must be 0 or 1`);
const STATUS_NAMES: Record<string, BulkOptions['newStatus']> = { free: 'free', terminated: 'terminated', archived: 'terminated' };

/**
 * MOR M4 "DIDs Bulk Update from CSV" as an API method: `dids` = the CSV (one DID number a line), `bulk_action` =
 * change | delete | close_subscription. Without `confirm=1` it only answers the analysis; with it, it applies
 * the action to every DID or, if any DID cannot take it, to none.
 */
export const handler = defineMethod({
  method: 'dids_bulk_update',
  errorEnvelope: 'page-status',
  access: { admin: true, reseller: true, accountant: { permission: MANAGE_DIDS, level: 2 }, notAuthorized: NOT_AUTHORIZED_DIDS },
  params: {
    dids: field.required('DIDs CSV is empty'),
    bulk_action: field.oneOf(['change', 'delete', 'close_subscription', 'CHANGE', 'DELETE', 'CLOSE SUBSCRIPTION', 'close subscription'], 'Bulk action can only be change, delete or close_subscription'),
    confirm: FLAG('confirm'),
    new_status: field.optionalOneOf(['free', 'terminated', 'archived'], 'Status can only be free, terminated or archived'),
    call_limit: field.optionalMatching(COUNT, 'Call limit is incorrect format'),
    timeout: field.optionalMatching(COUNT, 'Max call duration is incorrect format'),
    language: field.optional(),
    comment: field.optional(),
    clear_forward: FLAG('clear_forward'),
    clear_failover1: FLAG('clear_failover1'),
    clear_failover2: FLAG('clear_failover2'),
    clear_customer: FLAG('clear_customer'),
  },
  async run({ caller, params }) {
    const action = params.bulk_action.toLowerCase().replace(' ', '_') as BulkAction;
    if (!BULK_ACTIONS.includes(action)) throw new MorError('Bulk action can only be change, delete or close_subscription');
    const numbers = csvNumbers(params.dids);
    if (numbers.length === 0) throw new MorError('DIDs CSV is empty');
    if (numbers.length > BULK_MAX_DIDS[action]) throw new MorError(`Too many DIDs: at most ${BULK_MAX_DIDS[action]} per request for this action`);
    const rows = await analyseBulk(caller, numbers, action, {
      newStatus: params.new_status ? STATUS_NAMES[params.new_status] : undefined,
      callLimit: params.call_limit === undefined ? undefined : Number(params.call_limit),
      timeout: params.timeout === undefined ? undefined : Number(params.timeout),
      language: params.language,
      comment: params.comment,
      clearForward: params.clear_forward === '1',
      clearFailover1: params.clear_failover1 === '1',
      clearFailover2: params.clear_failover2 === '1',
      clearCustomer: params.clear_customer === '1',
    });
    const failed = rows.filter((r) => !r.ok).length;
    const analysis = {
      did: rows.map((r) => ({ did: r.number, status: r.ok ? 'OK' : 'FAILED', reason: r.reason })),
    };
    const summary = { total: rows.length, ok: rows.length - failed, failed };
    if (params.confirm !== '1') return { page: { status: { success: 'Analysis only: send confirm=1 to apply' }, summary, analysis } };
    if (failed > 0) return { page: { status: { error: 'DIDs were not updated' }, summary, analysis } };
    try {
      await applyBulk(caller.id, action, rows);
    } catch (error) {
      if (error instanceof DidChangedError) return { page: { status: { error: 'DIDs were not updated' }, summary, analysis } };
      throw error;
    }
    return { page: { status: { success: 'DIDs were updated' }, summary, analysis } };
  },
});
