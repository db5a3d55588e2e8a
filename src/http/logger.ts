/**
 * The app logger (pino): JSON lines, with credentials redacted wherever they appear.
 *
 * @module
 */
import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino censors. Authorization and Cookie carry credentials; Set-Cookie carries fresh session
 * ids. They are redacted in any logged object that has request or response headers.
 */
export const REDACTED_PATHS: readonly string[] = Object.freeze([
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["proxy-authorization"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["proxy-authorization"]',
]);

export function createLogger(level: string, stream: NodeJS.WritableStream | undefined): Logger {
  const options = {
    level,
    base: undefined,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  return stream === undefined ? pino(options) : pino(options, stream as DestinationStream);
}
