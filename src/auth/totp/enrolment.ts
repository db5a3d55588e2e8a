/**
 * What an enrolment page shows: the `otpauth://` URI as a QR code, and the secret as text for
 * people who type it in.
 *
 * @module
 */
import QRCode from 'qrcode';
import { trustedHtml, type SafeHtml } from '../../http/html.js';
import { TotpOptionsError } from './errors.js';
import { TOTP_DEFAULTS, totpSecretBytes, type TotpOptions } from './totp.js';
import { base32Encode } from './base32.js';

/** What {@link totpUri} puts in the URI. */
export interface TotpUriOptions extends TotpOptions {
  /** The base32 secret from `generateTotpSecret()`. */
  secret: string;
  /** Your site or company, shown by the app above the code: `Example`. */
  issuer: string;
  /** The user's login, shown under it: `ada@example.com`. */
  accountName: string;
}

// Control characters in a label would end up in a URI some apps display; a colon would split it.
const LABEL_FORBIDDEN = /[:\u0000-\u001f\u007f]/;

function labelPart(name: string, value: string): string {
  if (value === '' || LABEL_FORBIDDEN.test(value)) {
    throw new TotpOptionsError('E_TOTP_OPTIONS_INVALID', `TOTP ${name} must be non-empty text without ':' or control characters, got ${JSON.stringify(value)}.`, {
      hint: 'The Key URI format uses ":" to separate the issuer from the account name.',
    });
  }
  return encodeURIComponent(value);
}

/**
 * The `otpauth://totp/…` URI authenticator apps read (Google's Key URI format).
 *
 * @example
 * totpUri({ secret, issuer: 'Example', accountName: 'ada@example.com' })
 * // 'otpauth://totp/Example:ada%40example.com?secret=…&issuer=Example&algorithm=SHA1&digits=6&period=30'
 * @see docs/passwords.md#two-factor-authentication-totp
 */
export function totpUri(options: TotpUriOptions): string {
  const issuer = labelPart('issuer', options.issuer);
  const account = labelPart('accountName', options.accountName);
  // Normalise the secret (upper case, no spaces or padding) after checking it decodes.
  const secret = base32Encode(totpSecretBytes(options.secret));
  const query = [
    `secret=${secret}`,
    `issuer=${issuer}`,
    `algorithm=${options.algorithm ?? TOTP_DEFAULTS.algorithm}`,
    `digits=${options.digits ?? TOTP_DEFAULTS.digits}`,
    `period=${options.periodSeconds ?? TOTP_DEFAULTS.periodSeconds}`,
  ];
  return `otpauth://totp/${issuer}:${account}?${query.join('&')}`;
}

/**
 * The URI as an inline SVG QR code, ready to put in a page (`{{ qr|safe }}` or `html\`${qr}\``).
 * The SVG holds only paths: no script, no style, no external reference, so it needs no CSP change.
 *
 * @example
 * const qr = await totpQrSvg(totpUri({ secret, issuer: 'Example', accountName: user.email }));
 * return html`<figure>${qr}<figcaption>${formatTotpSecret(secret)}</figcaption></figure>`;
 */
export async function totpQrSvg(uri: string): Promise<SafeHtml> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return trustedHtml(svg.trim());
}

/**
 * The secret in groups of four, for people who type it into their app: `JBSW Y3DP EHPK 3PXP …`.
 *
 * @example
 * formatTotpSecret('jbswy3dpehpk3pxpjbswy3dpehpk3pxp') // 'JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP'
 */
export function formatTotpSecret(secret: string): string {
  const clean = base32Encode(totpSecretBytes(secret));
  return clean.replace(/(.{4})(?=.)/g, '$1 ');
}
