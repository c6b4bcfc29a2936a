/** MOR's error answers. The envelope is the XML shape a method wraps its error text in. */
import type { XmlNode } from '../xml.js';

export type ErrorEnvelope =
  /** `<status><error>…</error></status>`: the request filters (API off, GET off, secret, hash). */
  | 'status'
  /** `<page><error>…</error></page>`: older methods. */
  | 'page'
  /** `<page><status><error>…</error></status></page>`: newer methods. */
  | 'page-status'
  /** `<error>…</error>` at the root: user_details_get, invoices_get. */
  | 'bare'
  /** `<Error>…</Error>` at the root: the wiki's invoices_get. */
  | 'bare-capitalized'
  /** `<response><error>…</error></response>`: tariff_retail_import. */
  | 'response'
  /** `<status>…</status>`, the text itself: callback_init. */
  | 'status-text';

/** An expected failure with MOR's exact text. Thrown anywhere in a method; the responder renders it. */
export class MorError extends Error {
  constructor(
    message: string,
    /** Overrides the method's envelope (e.g. the filters' bare `<status>`). */
    readonly envelope?: ErrorEnvelope,
  ) {
    super(message);
    this.name = 'MorError';
  }
}

export function errorDocument(message: string, envelope: ErrorEnvelope): XmlNode {
  switch (envelope) {
    case 'status':
      return { status: { error: message } };
    case 'page':
      return { page: { error: message } };
    case 'page-status':
      return { page: { status: { error: message } } };
    case 'bare':
      return { error: message };
    case 'bare-capitalized':
      return { Error: message };
    case 'response':
      return { response: { error: message } };
    case 'status-text':
      return { status: message };
  }
}

/**
 * An optimistic write lost a race (its condition on the version it read failed). Nothing was written;
 * the pipeline runs the method again on fresh data, a few times, before answering "busy".
 */
export class ConcurrentChangeError extends Error {
  constructor(message = 'changed meanwhile') {
    super(message);
    this.name = 'ConcurrentChangeError';
  }
}

/** The errors every method can answer with, in MOR's wording. */
export const ERR = {
  apiDisabled: 'API Requests are disabled',
  getDisabled: 'GET Requests are disabled',
  noSecretKey: 'API must have Secret Key',
  incorrectHash: 'Incorrect hash',
  accessDenied: 'Access Denied',
  notAuthorized: 'You are not authorized to use this functionality',
  internal: 'Internal error',
  busy: 'Service is busy, please retry',
} as const;
