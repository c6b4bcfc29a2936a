/**
 * The raw text of a v2 request body: API Gateway hands binary bodies over base64-encoded, and a client may
 * compress a large body. A 10,000-CDR import is about 5 MB of JSON, close to Lambda's 6 MB request limit;
 * gzipped it is a small fraction of that.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { RestError } from './errors.js';

/** Decompressed bodies larger than this are refused (a compressed "bomb" cannot exhaust the function's memory). */
export const MAX_DECODED_BODY_BYTES = 64 * 1024 * 1024;

const DECOMPRESS: Record<string, (input: Buffer, options: { maxOutputLength: number }) => Buffer> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
};

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The body as text. Compressed bodies are inflated when `Content-Encoding` says so, or when a binary body
 * (`Content-Type: application/gzip` / `application/octet-stream`, which API Gateway and serverless-offline
 * hand over base64-encoded) starts with gzip's magic bytes.
 */
export function requestBodyText(body: string | undefined, isBase64Encoded: boolean | undefined, contentEncoding: string): string {
  if (!body) return '';
  const encoding = contentEncoding.trim().toLowerCase();
  const bytes = () => Buffer.from(body, isBase64Encoded ? 'base64' : 'latin1');
  if (!encoding || encoding === 'identity') {
    if (!isBase64Encoded) return body;
    const raw = bytes();
    return raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1] ? inflate(raw, 'gzip') : raw.toString('utf8');
  }
  return inflate(bytes(), encoding);
}

function inflate(bytes: Buffer, encoding: string): string {
  const decompress = DECOMPRESS[encoding];
  if (!decompress) throw new RestError(415, `Content-Encoding ${encoding} is not supported (use gzip or deflate)`);
  try {
    return decompress(bytes, { maxOutputLength: MAX_DECODED_BODY_BYTES }).toString('utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new RestError(413, 'Body is too large once decompressed');
    throw new RestError(400, `Body is not valid ${encoding} data`);
  }
}
