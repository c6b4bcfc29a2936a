import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { settingOn } from '../../domain/settings.js';
import { renderXml, type XmlNode } from '../../xml.js';
import { stateOf, type MorState } from '../context.js';
import { ConcurrentChangeError, ERR, MorError, errorDocument, type ErrorEnvelope } from '../errors.js';
import { log } from '../../log.js';

/** A method's answer: an XML document, or (for MOR's few plain-text methods) raw text, or a file (tariff_rates_get's zip). */
export type MethodAnswer = XmlNode | { text: string; contentType?: string } | FileAnswer;

export interface FileAnswer {
  file: Buffer;
  contentType: string;
  fileName: string;
}

const isFile = (answer: MethodAnswer): answer is FileAnswer => Buffer.isBuffer((answer as { file?: unknown }).file);

const isText = (answer: MethodAnswer): answer is { text: string; contentType?: string } =>
  typeof (answer as { text?: unknown }).text === 'string' && Object.keys(answer).every((k) => k === 'text' || k === 'contentType');

/**
 * MOR sends every answer as a download: `text/xml` + mor_api_response.xml with "XML API Extension"
 * on, else `text/html` + mor_api_response.html; `test=1` shows it inline.
 */
function httpResponse(body: string, state: MorState | undefined, contentType?: string): APIGatewayProxyResultV2 {
  const xmlExtension = state?.adminSettings ? settingOn(state.adminSettings, 'XML_API_Extension') : false;
  const headers: Record<string, string> = {
    'content-type': contentType ?? (xmlExtension ? 'text/xml; charset=utf-8' : 'text/html; charset=utf-8'),
    'cache-control': 'no-store',
  };
  if (!state?.isTest && !contentType) {
    headers['content-disposition'] = `attachment; filename="mor_api_response.${xmlExtension ? 'xml' : 'html'}"`;
  }
  if (state?.requestId) headers['x-request-id'] = state.requestId;
  return { statusCode: 200, headers, body };
}

const isTransient = (error: { name?: string }) =>
  error instanceof ConcurrentChangeError ||
  ['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TimeoutError',
    'TransactionConflictException', 'InternalServerError', 'ServiceUnavailable'].includes(error.name ?? '') ||
  (error.name === 'TransactionCanceledException' &&
    ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).some((r) =>
      ['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded'].includes(r.Code ?? '')));

/**
 * Outermost step: renders the method's answer, and turns every failure into well-formed XML.
 * Expected failures (MorError) carry MOR's text; anything else is logged with the request id and
 * answered with a generic error, never a stack trace or a 5xx page.
 */
export const xmlResponderMiddleware = (envelope: ErrorEnvelope): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> => ({
  after: (request) => {
    const state = stateOf(request);
    const answer = request.response as unknown as MethodAnswer;
    if (isFile(answer)) {
      const response = httpResponse(answer.file.toString('base64'), state, answer.contentType) as { headers: Record<string, string> };
      response.headers['content-disposition'] = `attachment; filename="${answer.fileName}"`;
      request.response = { ...response, isBase64Encoded: true } as APIGatewayProxyResultV2;
      return;
    }
    request.response = isText(answer)
      ? httpResponse(answer.text, state, answer.contentType ?? 'text/plain; charset=utf-8')
      : httpResponse(renderXml(answer), state);
  },
  onError: (request) => {
    const state = stateOf(request);
    const error = request.error as Error & { name?: string };
    if (error instanceof MorError) {
      request.response = httpResponse(renderXml(errorDocument(error.message, error.envelope ?? envelope)), state);
      return;
    }
    const transient = isTransient(error);
    log.error('Request failed', { requestId: state?.requestId, method: state?.method, error: { name: error?.name, message: error?.message } });
    request.response = httpResponse(renderXml(errorDocument(transient ? ERR.busy : ERR.internal, envelope)), state);
  },
});
