/**
 * conflines_update: the settings MOR lets the admin change over the API (API, Default User, Default
 * Device), each with its exact MOR error, plus the API switches of the GUI's API tab that MOR only
 * offers in its GUI (morless has no GUI; see docs/compatibility.md).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { field } from '../pipeline/validate.js';
import { isTimeZoneName } from './time-zones.js';

const flag = (name: string) => field.optionalFlag(`${name} must be 0 or 1`);
const POSITIVE_INTEGER = /^[1-9][0-9]{0,8}$/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const AUDIO_CODECS = ['alaw', 'ulaw', 'g723', 'g726', 'g729', 'gsm', 'ilbc', 'lpc10', 'speex', 'sdpcm', 'slin'];
export const VIDEO_CODECS = ['h261', 'h263', 'h263p', 'h264', 'vp8'];

const codecList = (allowed: readonly string[]) => (value: string) =>
  value.split(',').every((codec) => allowed.includes(codec.trim().toLowerCase()));

export const conflineParams = {
  allow_api: flag('allow_api'),
  allow_get_api: flag('allow_get_api'),
  xml_api_extension: flag('xml_api_extension'),
  disable_hash_checking: flag('disable_hash_checking'),
  api_secret_key: field.optionalMatching(/^.{6,}$/s, 'api_secret_key length must be higher than 5'),
  default_user_password_length: field.optionalMatching(/^([6-9]|[12][0-9]|30)$/, 'default_user_password_length must be between 6 and 30'),
  default_user_credit: field.optionalMatching(/^(-1|[0-9]+(\.[0-9]+)?)$/, 'default_user_credit must be positive number or -1 for infinity'),
  default_user_balance: field.optionalMatching(NUMBER, 'default_user_balance must be number'),
  default_user_postpaid: flag('default_user_postpaid'),
  default_user_allow_loss_calls: flag('default_user_allow_loss_calls'),
  // MOR's own text names the credit here (sic).
  default_user_call_limit: field.optionalMatching(/^[0-9]{1,9}$/, 'default_user_credit must be positive integer'),
  default_user_time_zone: field.optionalMatching(/^.+$/s, 'default_user_time_zone name was not correct'),
  default_user_currency: field.optionalMatching(/^[A-Z]{3}$/, 'default_user_currency name was not correct'),
  default_user_quickforwards_rule_id: field.optionalMatching(/^[0-9]+$/, 'default_user_quickforwards_rule_id was not found'),
  default_user_recording_enabled: flag('default_user_recording_enabled'),
  default_user_recording_forced_enabled: flag('default_user_recording_forced_enabled'),
  default_user_tariff_id: field.optionalMatching(/^[0-9]+$/, 'default_user_tariff_id was not found'),
  default_device_call_limit: field.optionalMatching(/^[0-9]{1,9}$/, 'default_device_call_limit must be positive integer'),
  default_device_canreinvite: field.optionalOneOf(['yes', 'no', 'nonat', 'update', 'update,nonat'],
    "default_device_canreinvite can only be one of the following: 'yes', 'no', 'nonat', 'update', 'update,nonat'"),
  default_device_nat: field.optionalOneOf(['yes', 'no', 'force_rport', 'comedia'],
    "default_device_nat can only be one of the following: 'yes', 'no', 'force_rport', 'comedia'"),
  default_device_qualify: field.optionalMatching(/^(no|[0-9]{4,9})$/, "default_device_qualify can only be 'no' or >= 1000 integer"),
  default_device_grace_time: field.optionalMatching(POSITIVE_INTEGER, 'default_device_grace_time must be positive integer'),
  default_device_audio_codecs: field.optional(),
  default_device_video_codecs: field.optional(),
  default_device_location_id: field.optionalMatching(/^[0-9]+$/, 'default_device_location_id was not found'),
};

/** The settings item attribute each API parameter writes (MOR's confline names for the API switches). */
const SETTING_NAME: Record<string, string> = {
  allow_api: 'Allow_API',
  allow_get_api: 'Allow_GET_API',
  xml_api_extension: 'XML_API_Extension',
  disable_hash_checking: 'API_Disable_hash_checking',
  api_secret_key: 'API_Secret_Key',
};

export const settingNameOf = (param: string) => SETTING_NAME[param] ?? param;

const itemExists = async (key: { PK: string; SK: string }) =>
  !!(await db.send(new GetCommand({ TableName: TABLE_NAME, Key: key, ProjectionExpression: 'PK' }))).Item;

/** Checks that need more than the value's format: names in lists, references to existing objects. */
export async function referenceErrors(params: Record<string, string | undefined>): Promise<string | undefined> {
  const qualify = params.default_device_qualify;
  if (qualify && qualify !== 'no' && Number(qualify) < 1000) return "default_device_qualify can only be 'no' or >= 1000 integer";
  if (params.default_user_time_zone && !isTimeZoneName(params.default_user_time_zone)) return 'default_user_time_zone name was not correct';
  if (params.default_user_currency && !CURRENCIES.has(params.default_user_currency)) return 'default_user_currency name was not correct';
  if (params.default_user_quickforwards_rule_id && params.default_user_quickforwards_rule_id !== '0' &&
    !(await itemExists({ PK: `QFRULE#${params.default_user_quickforwards_rule_id}`, SK: 'QFRULE' }))) {
    return 'default_user_quickforwards_rule_id was not found';
  }
  if (params.default_user_tariff_id && !(await itemExists({ PK: `TARIFF#${params.default_user_tariff_id}`, SK: 'TARIFF' }))) {
    return 'default_user_tariff_id was not found';
  }
  // Location 1 is MOR's built-in "Global" location.
  if (params.default_device_location_id && params.default_device_location_id !== '1' &&
    !(await itemExists({ PK: `LOCATION#${params.default_device_location_id}`, SK: 'LOCATION' }))) {
    return 'default_device_location_id was not found';
  }
  if (params.default_device_audio_codecs && !codecList(AUDIO_CODECS)(params.default_device_audio_codecs)) {
    return 'default_device_audio_codecs can only contain: ' + AUDIO_CODECS.join(', ');
  }
  if (params.default_device_video_codecs && !codecList(VIDEO_CODECS)(params.default_device_video_codecs)) {
    return 'default_device_video_codecs can only contain: ' + VIDEO_CODECS.join(', ');
  }
  return undefined;
}
