/**
 * TOTP enrolment (QR code and grouped secret, confirmed with a code, recovery codes shown once)
 * and turning it off (with the password).
 *
 * @module
 */
import type { Context } from '../../http/context.js';
import { HttpResponse } from '../../http/response.js';
import type { RouteGroup } from '../../routing/group.js';
import type { AuthUser } from '../models.js';
import { formatTotpSecret, generateTotpSecret, totpQrSvg, totpUri, verifyTotp } from '../totp/index.js';
import { disableTotp, enableTotp, recoveryCodesLeft } from '../two-factor.js';
import { field, page, userOrLogin, viewUrls, waitPhrase, type ViewConfig, type ViewName } from './shared.js';

const BAD_CODE = 'That code is not valid. Check the time on your phone and enter the current code.';
const WRONG_PASSWORD = 'Your password was entered incorrectly. Please enter it again.';

async function setupPage(req: Context<unknown>, cfg: ViewConfig, user: AuthUser, own: ViewName, extra: Record<string, unknown> = {}, status = 200, headers?: Record<string, string>): Promise<HttpResponse> {
  const urls = viewUrls(req, own);
  if (user.totp_enabled) {
    return page(req, 'two_factor', urls, { user, enabled: true, recovery_codes_left: recoveryCodesLeft(user), qr: null, secret: null, ...extra }, status, headers);
  }
  // The secret waits in the session until a code confirms the app has it; a reload shows the same one.
  let secret = req.session.get('auth.totp_setup');
  if (typeof secret !== 'string') {
    secret = generateTotpSecret();
    req.session.set('auth.totp_setup', secret);
  }
  const qr = await totpQrSvg(totpUri({ secret, issuer: cfg.totpIssuer ?? req.host, accountName: user.username }));
  return page(req, 'two_factor', urls, { user, enabled: false, recovery_codes_left: 0, qr, secret: formatTotpSecret(secret), ...extra }, status, headers);
}

export function twoFactorViews(routes: RouteGroup, cfg: ViewConfig): void {
  routes.get('/two-factor', { name: 'two_factor' }, async (req) => {
    const user = await userOrLogin(req, 'twoFactor');
    if (user instanceof HttpResponse) return user;
    return setupPage(req, cfg, user, 'twoFactor');
  });

  routes.post('/two-factor', async (req) => {
    const user = await userOrLogin(req, 'twoFactor');
    if (user instanceof HttpResponse) return user;
    const secret = req.session.get('auth.totp_setup');
    if (user.totp_enabled || typeof secret !== 'string') return req.redirect(viewUrls(req, 'twoFactor').twoFactor, 303);
    const subject = `totp:${user.id}`;
    const wait = cfg.throttle === null ? 0 : await cfg.throttle.retryAfter(req, subject);
    if (wait > 0) return setupPage(req, cfg, user, 'twoFactor', { error: `Too many failed attempts. Try again in ${waitPhrase(wait)}.` }, 429, { 'retry-after': String(wait) });
    const result = verifyTotp(secret, field(await req.form(), 'code').replace(/\s/g, '').slice(0, 16), { time: cfg.now() });
    if (!result.valid) {
      await cfg.throttle?.failed(req, subject);
      return setupPage(req, cfg, user, 'twoFactor', { error: BAD_CODE }, 422);
    }
    const codes = await enableTotp(cfg.db, user, secret, result.step, req.settings.secretKey);
    req.session.delete('auth.totp_setup');
    req.session.rotate(); // a privilege change: the session id changes with it
    // Shown once, on this response (private, no-store): only their hashes are kept.
    return page(req, 'recovery_codes', viewUrls(req, 'twoFactor'), { user, codes });
  });

  routes.post('/two-factor/disable', { name: 'two_factor_disable' }, async (req) => {
    const user = await userOrLogin(req, 'twoFactorDisable');
    if (user instanceof HttpResponse) return user;
    if (!user.totp_enabled) return req.redirect(viewUrls(req, 'twoFactorDisable').twoFactor, 303);
    const wait = cfg.throttle === null ? 0 : await cfg.throttle.retryAfter(req, user.username);
    if (wait > 0) return setupPage(req, cfg, user, 'twoFactorDisable', { error: `Too many failed attempts. Try again in ${waitPhrase(wait)}.` }, 429, { 'retry-after': String(wait) });
    const check = await cfg.hashers.verify(field(await req.form(), 'password'), user.password);
    if (!check.valid) {
      await cfg.throttle?.failed(req, user.username);
      return setupPage(req, cfg, user, 'twoFactorDisable', { errors: { password: [WRONG_PASSWORD] } }, 422);
    }
    await disableTotp(cfg.db, user);
    req.session.rotate();
    return req.redirect(viewUrls(req, 'twoFactorDisable').twoFactor, 303);
  });
}
