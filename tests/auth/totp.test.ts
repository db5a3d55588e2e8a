// TOTP: the RFC 6238 appendix B vectors, verification with its window and replay refusal, the
// otpauth:// URI, the QR code and the grouped secret.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import QRCode from 'qrcode';
import { SafeHtml, html } from 'rampart';
import {
  TOTP_DEFAULTS,
  TotpError,
  TotpOptionsError,
  formatTotpSecret,
  generateTotpSecret,
  totpCode,
  totpQrSvg,
  totpStep,
  totpUri,
  verifyTotp,
  type TotpAlgorithm,
} from 'rampart/auth';

// RFC 6238 appendix B: the seeds are these ASCII strings (20, 32 and 64 bytes), 8 digits, 30 s.
const SEEDS: Record<TotpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const RFC6238: Array<[number, Record<TotpAlgorithm, string>]> = [
  [59, { SHA1: '94287082', SHA256: '46119246', SHA512: '90693936' }],
  [1111111109, { SHA1: '07081804', SHA256: '68084774', SHA512: '25091201' }],
  [1111111111, { SHA1: '14050471', SHA256: '67062674', SHA512: '99943326' }],
  [1234567890, { SHA1: '89005924', SHA256: '91819424', SHA512: '93441116' }],
  [2000000000, { SHA1: '69279037', SHA256: '90698825', SHA512: '38618901' }],
  [20000000000, { SHA1: '65353130', SHA256: '77737706', SHA512: '47863826' }],
];

/** Base32 of bytes, written here independently of the code under test (RFC 4648). */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  return (bits.match(/.{1,5}/g) ?? []).map((c) => alphabet[parseInt(c.padEnd(5, '0'), 2)]).join('');
}

describe('RFC 6238 appendix B', () => {
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
    test(`${algorithm}: every vector, from the raw seed and from its base32 form`, () => {
      for (const [seconds, codes] of RFC6238) {
        const options = { algorithm, digits: 8 as const, time: seconds * 1000 };
        assert.equal(totpCode(SEEDS[algorithm], options), codes[algorithm], `${algorithm} T=${seconds}`);
        assert.equal(totpCode(base32(SEEDS[algorithm]), options), codes[algorithm], `${algorithm} T=${seconds} base32`);
      }
    });

    test(`${algorithm}: verifyTotp accepts each vector and returns its time step`, () => {
      for (const [seconds, codes] of RFC6238) {
        const result = verifyTotp(SEEDS[algorithm], codes[algorithm], { algorithm, digits: 8, time: seconds * 1000 });
        assert.deepEqual(result, { valid: true, step: Math.floor(seconds / 30) });
      }
    });
  }

  test('6-digit codes are the last six digits of the 8-digit ones', () => {
    assert.equal(totpCode(SEEDS.SHA1, { time: 59_000 }), '287082');
    assert.equal(totpCode(SEEDS.SHA1, { time: 1111111109_000 }), '081804');
  });
});

describe('verification', () => {
  const secret = generateTotpSecret();
  const now = Date.parse('2030-06-01T12:00:10Z');
  const step = totpStep(now);
  const at = (s: number) => totpCode(secret, { time: s * 30_000 });

  test('accepts the previous, current and next step (±30 s of drift), nothing further', () => {
    assert.deepEqual(verifyTotp(secret, at(step), { time: now }), { valid: true, step });
    assert.deepEqual(verifyTotp(secret, at(step - 1), { time: now }), { valid: true, step: step - 1 });
    assert.deepEqual(verifyTotp(secret, at(step + 1), { time: now }), { valid: true, step: step + 1 });
    assert.deepEqual(verifyTotp(secret, at(step - 2), { time: now }), { valid: false, step: null });
    assert.deepEqual(verifyTotp(secret, at(step + 2), { time: now }), { valid: false, step: null });
    assert.deepEqual(verifyTotp(secret, at(step - 2), { time: now, window: 2 }), { valid: true, step: step - 2 });
    assert.deepEqual(verifyTotp(secret, at(step - 1), { time: now, window: 0 }), { valid: false, step: null });
  });

  test('refuses a replay: a code of the last used step or earlier', () => {
    const first = verifyTotp(secret, at(step), { time: now });
    assert.equal(first.valid, true);
    assert.deepEqual(verifyTotp(secret, at(step), { time: now, lastUsedStep: first.step }), { valid: false, step: null });
    assert.deepEqual(verifyTotp(secret, at(step - 1), { time: now, lastUsedStep: first.step }), { valid: false, step: null });
    assert.deepEqual(verifyTotp(secret, at(step + 1), { time: now, lastUsedStep: first.step }), { valid: true, step: step + 1 });
  });

  test('ignores spaces in the typed code; refuses anything else that is not the digits', () => {
    const code = at(step);
    assert.equal(verifyTotp(secret, ` ${code.slice(0, 3)} ${code.slice(3)} `, { time: now }).valid, true);
    for (const typed of ['', code.slice(1), code + '0', `${code.slice(0, 5)}x`, `-${code.slice(1)}`, '０'.repeat(6), '1e5000']) {
      assert.deepEqual(verifyTotp(secret, typed, { time: now }), { valid: false, step: null }, typed);
    }
  });

  test('a code of another secret or another algorithm is refused', () => {
    assert.equal(verifyTotp(generateTotpSecret(), at(step), { time: now }).valid, false);
    assert.equal(verifyTotp(secret, at(step), { time: now, algorithm: 'SHA256' }).valid, false);
  });

  test('uses the current time by default', () => {
    assert.equal(verifyTotp(secret, totpCode(secret)).valid, true);
    const t = new Date();
    assert.equal(totpCode(secret), totpCode(secret, { time: t }));
  });
});

describe('secrets and options', () => {
  test('generated secrets are 160-bit base32, all different', () => {
    const a = generateTotpSecret();
    assert.match(a, /^[A-Z2-7]{32}$/);
    assert.notEqual(a, generateTotpSecret());
    assert.match(generateTotpSecret({ bytes: 32 }), /^[A-Z2-7]{52}$/);
    assert.equal(TOTP_DEFAULTS.secretBytes, 20);
  });

  test('a secret that is not base32, or shorter than 128 bits, is refused with E_TOTP_SECRET_INVALID', () => {
    for (const [secret, message] of [
      ['not base32!', /^The TOTP secret is not valid base32/],
      ['JBSWY3DPEHPK3PXP', /^The TOTP secret has 80 bits; at least 128 are required \(RFC 4226\)\.$/],
      [Buffer.alloc(15), /has 120 bits/],
    ] as const) {
      assert.throws(() => totpCode(secret), (err: unknown) => {
        assert.ok(err instanceof TotpError);
        assert.equal(err.code, 'E_TOTP_SECRET_INVALID');
        assert.match(err.message, message);
        return true;
      });
    }
  });

  test('impossible options are refused with E_TOTP_OPTIONS_INVALID', () => {
    const secret = generateTotpSecret();
    const cases: Array<[() => unknown, RegExp]> = [
      [() => totpCode(secret, { digits: 7 as 6 }), /TOTP digits must be 6 or 8, got 7/],
      [() => totpCode(secret, { algorithm: 'MD5' as TotpAlgorithm }), /Unknown TOTP algorithm "MD5"/],
      [() => totpCode(secret, { periodSeconds: 0 }), /periodSeconds must be an integer from 1 to 300, got 0/],
      [() => verifyTotp(secret, '123456', { window: 11 }), /window must be an integer from 0 to 10, got 11/],
      [() => generateTotpSecret({ bytes: 10 }), /secret bytes must be an integer from 16 to 64, got 10/],
      [() => totpUri({ secret, issuer: 'A:B', accountName: 'ada' }), /TOTP issuer must be non-empty text without ':'/],
      [() => totpUri({ secret, issuer: 'Example', accountName: 'ada\nx' }), /TOTP accountName must be non-empty text/],
      [() => totpUri({ secret, issuer: '', accountName: 'ada' }), /TOTP issuer must be non-empty/],
    ];
    for (const [fn, message] of cases) {
      assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof TotpOptionsError);
        assert.equal(err.code, 'E_TOTP_OPTIONS_INVALID');
        assert.match(err.message, message);
        return true;
      });
    }
  });
});

describe('enrolment', () => {
  const secret = 'jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp';

  test('the otpauth URI has the label, the normalised secret and every parameter', () => {
    assert.equal(
      totpUri({ secret, issuer: 'Example Co', accountName: 'ada@example.com' }),
      'otpauth://totp/Example%20Co:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example%20Co&algorithm=SHA1&digits=6&period=30',
    );
    assert.equal(
      totpUri({ secret, issuer: 'É&Co', accountName: 'ada?x=1', algorithm: 'SHA512', digits: 8, periodSeconds: 60 }),
      'otpauth://totp/%C3%89%26Co:ada%3Fx%3D1?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=%C3%89%26Co&algorithm=SHA512&digits=8&period=60',
    );
  });

  test('the QR code is an SVG of paths only, SafeHtml, and encodes the URI', async () => {
    const uri = totpUri({ secret, issuer: 'Example', accountName: 'ada@example.com' });
    const qr = await totpQrSvg(uri);
    assert.ok(qr instanceof SafeHtml);
    const svg = qr.toString();
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1" shape-rendering="crispEdges">/);
    assert.ok(svg.endsWith('</svg>'));
    assert.doesNotMatch(svg, /<script|<style|href|on\w+=|style=/i);
    // The module count of the symbol for this exact URI, plus the 2-module margin on each side.
    const size = QRCode.create(uri, { errorCorrectionLevel: 'M' }).modules.size + 4;
    assert.ok(svg.includes(`viewBox="0 0 ${size} ${size}"`));
    assert.notEqual((await totpQrSvg(uri + 'x')).toString(), svg);
    // SafeHtml goes into html`` unescaped.
    assert.ok(html`<figure>${qr}</figure>`.toString().startsWith('<figure><svg '));
  });

  test('the secret is shown in groups of four', () => {
    assert.equal(formatTotpSecret(secret), 'JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    assert.match(formatTotpSecret(generateTotpSecret()), /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  });
});
