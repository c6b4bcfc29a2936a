/** A v2 failure: HTTP status plus the JSON body `{ "errors": "<message>" }`. */
export class RestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'RestError';
  }
}
