/** A v2 failure: HTTP status plus the JSON body `{ "errors": "<message>", ...details }`. */
export class RestError extends Error {
  constructor(readonly status: number, message: string, readonly details: Record<string, string> = {}) {
    super(message);
    this.name = 'RestError';
  }
}
