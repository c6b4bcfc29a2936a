/**
 * Rules MOR applies to a user's username, password and email, shared by user_register and
 * user_details_update. The admin's settings govern them (names and defaults in USER_RULE_SETTINGS).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, TABLE_NAME } from '../db/client.js';
import { keys } from '../db/keys.js';
import { setting, settingOn, type Settings } from './settings.js';

export const USER_RULE_SETTINGS = {
  minUsernameLength: ['Minimal_Username_Length', '2'],
  minPasswordLength: ['Minimal_Password_Length', '6'],
  strongPasswords: ['Use_strong_passwords_for_users', '0'],
  identicalEmails: ['Allow_Identical_Emails', '0'],
} as const;

const rule = (settings: Settings, name: keyof typeof USER_RULE_SETTINGS) =>
  setting(settings, USER_RULE_SETTINGS[name][0], USER_RULE_SETTINGS[name][1]);

const minLength = (settings: Settings, name: 'minUsernameLength' | 'minPasswordLength') => Math.max(Number(rule(settings, name)) || 1, 1);

/** MOR's text for a too-short username, or undefined. */
export function usernameProblem(username: string, settings: Settings): string | undefined {
  const min = minLength(settings, 'minUsernameLength');
  return username.length < min ? `Username must be longer than ${min - 1} characters` : undefined;
}

/** MOR's text for a password that breaks the length/strength rules, or undefined. */
export function passwordProblem(password: string, settings: Settings): string | undefined {
  const min = minLength(settings, 'minPasswordLength');
  if (password.length < min) return `Password must be longer than ${min - 1} characters`;
  const strong = /[0-9]/.test(password) && /[A-Z]/.test(password) && /[a-z]/.test(password);
  if (settingOn(settings, USER_RULE_SETTINGS.strongPasswords[0]) && !strong) {
    return 'Password must contain at least one numeric value, capital and lowercase symbol';
  }
  return undefined;
}

const EMAIL = /^[^@\s;]+@[^@\s;]+\.[^@\s;]+$/;
/** One email, or several separated by semicolons (MOR's registration address email). */
export const isEmailList = (value: string) => value.split(';').every((part) => EMAIL.test(part.trim()));

/** Whether emails must be unique (setting "Allow identical emails" off). */
export const uniqueEmails = (settings: Settings) => !settingOn(settings, USER_RULE_SETTINGS.identicalEmails[0]);

/** The marker that keeps an email unique (case-insensitive); holds the user's id. */
export const emailMarker = (email: string) => keys.unique('EMAIL', email.trim().toLowerCase());

export async function emailTaken(email: string, exceptUserId?: number): Promise<boolean> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: emailMarker(email) }));
  return result.Item !== undefined && result.Item.userId !== exceptUserId;
}

export async function usernameTaken(username: string): Promise<boolean> {
  const result = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.unique('USERNAME', username), ProjectionExpression: 'PK' }));
  return result.Item !== undefined;
}
