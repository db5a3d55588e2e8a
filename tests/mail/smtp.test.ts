// The SMTP mailer against a real SMTP server on 127.0.0.1: plain, STARTTLS and implicit TLS,
// certificate checks, authentication, envelopes and refusals.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { MailHeaderInjectionError, MailSendError, SmtpMailer, isLoopbackHost, mailerFromUrl, type MailMessage } from 'rampart/mail';
import { CERT, startSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

const MESSAGE: MailMessage = {
  from: 'Example <no-reply@example.com>',
  to: 'Ada <ada@example.com>',
  cc: 'grace@example.com',
  bcc: 'audit@example.com',
  subject: 'Reset your password',
  text: 'Follow this link: https://example.com/reset/abc',
};

function header(raw: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1]?.trim();
}

async function sendFails(mailer: SmtpMailer, pattern: RegExp): Promise<void> {
  await assert.rejects(mailer.send(MESSAGE), (err: unknown) => {
    assert.ok(err instanceof MailSendError, String(err));
    assert.equal(err.code, 'E_MAIL_SEND_FAILED');
    assert.match(err.message, pattern);
    assert.ok(err.cause instanceof Error);
    return true;
  });
}

const servers: TestSmtpServer[] = [];
async function server(options: Parameters<typeof startSmtpServer>[0]): Promise<TestSmtpServer> {
  const s = await startSmtpServer(options);
  servers.push(s);
  return s;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('plain SMTP to a loopback relay', () => {
  test('delivers with the envelope holding to, cc and bcc, and no Bcc header', async () => {
    const s = await server({ starttls: false });
    const mailer = mailerFromUrl(`smtp://127.0.0.1:${s.port}`) as SmtpMailer;
    const sent = await mailer.send(MESSAGE);
    assert.equal(s.received.length, 1);
    const got = s.received[0]!;
    assert.equal(got.secure, false);
    assert.equal(got.from, 'no-reply@example.com');
    assert.deepEqual(got.to, ['ada@example.com', 'grace@example.com', 'audit@example.com']);
    assert.equal(header(got.raw, 'From'), 'Example <no-reply@example.com>');
    assert.equal(header(got.raw, 'To'), 'Ada <ada@example.com>');
    assert.equal(header(got.raw, 'Cc'), 'grace@example.com');
    assert.equal(header(got.raw, 'Bcc'), undefined);
    assert.equal(header(got.raw, 'Subject'), 'Reset your password');
    assert.equal(header(got.raw, 'Message-ID'), sent.messageId);
    assert.ok(got.raw.includes('\r\n\r\nFollow this link: https://example.com/reset/abc'));
    assert.deepEqual(sent.accepted, ['ada@example.com', 'grace@example.com', 'audit@example.com']);
    assert.deepEqual(sent.rejected, []);
  });

  test('reports recipients the server refused while the others still get the message', async () => {
    const s = await server({ starttls: false, refuse: ['grace@example.com'] });
    const sent = await mailerFromUrl(`smtp://127.0.0.1:${s.port}`).send(MESSAGE);
    assert.deepEqual(sent.accepted, ['ada@example.com', 'audit@example.com']);
    assert.deepEqual(sent.rejected, ['grace@example.com']);
    assert.deepEqual(s.received[0]!.to, ['ada@example.com', 'audit@example.com']);
  });

  test('refuses header injection before connecting', async () => {
    const s = await server({ starttls: false });
    await assert.rejects(mailerFromUrl(`smtp://127.0.0.1:${s.port}`).send({ ...MESSAGE, subject: 'x\r\nBcc: victim@example.com' }), MailHeaderInjectionError);
    assert.equal(s.received.length, 0);
  });

  test('a closed port fails with E_MAIL_SEND_FAILED', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await sendFails(mailerFromUrl(`smtp://127.0.0.1:${port}`) as SmtpMailer, new RegExp(`^The SMTP server 127\\.0\\.0\\.1:${port} did not take the message: .*ECONNREFUSED`));
  });
});

describe('TLS', () => {
  test('STARTTLS is required for any host but loopback, by default', () => {
    assert.equal((mailerFromUrl('smtp://mail.example.com') as SmtpMailer).requireTls, true);
    assert.equal((mailerFromUrl('smtp://10.0.0.5:25') as SmtpMailer).requireTls, true);
    assert.equal((mailerFromUrl('smtp://127.0.0.1:25') as SmtpMailer).requireTls, false);
    assert.equal((mailerFromUrl('smtp://localhost') as SmtpMailer).requireTls, false);
    assert.equal((mailerFromUrl('smtp://mail.example.com?tls=optional') as SmtpMailer).requireTls, false);
    assert.equal((mailerFromUrl('smtp://localhost?tls=required') as SmtpMailer).requireTls, true);
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['example.com', '10.0.0.1', '::2', 'localhost.example.com', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
  });

  test('with tls=required, a server without STARTTLS gets nothing', async () => {
    const s = await server({ starttls: false });
    await sendFails(mailerFromUrl(`smtp://127.0.0.1:${s.port}?tls=required`) as SmtpMailer, /did not take the message/);
    assert.equal(s.received.length, 0);
  });

  test('STARTTLS with a trusted certificate delivers over an encrypted session', async () => {
    const s = await server({});
    await mailerFromUrl(`smtp://127.0.0.1:${s.port}?tls=required`, { tls: { ca: CERT } }).send(MESSAGE);
    assert.equal(s.received.length, 1);
    assert.equal(s.received[0]!.secure, true);
  });

  test('STARTTLS with an untrusted certificate is refused, even on loopback', async () => {
    const s = await server({});
    await sendFails(mailerFromUrl(`smtp://127.0.0.1:${s.port}`) as SmtpMailer, /self-signed certificate|unable to verify/i);
    assert.equal(s.received.length, 0);
  });

  test('smtps:// delivers over implicit TLS with a trusted certificate, and refuses an untrusted one', async () => {
    const s = await server({ secure: true });
    await mailerFromUrl(`smtps://127.0.0.1:${s.port}`, { tls: { ca: CERT } }).send(MESSAGE);
    assert.equal(s.received.length, 1);
    assert.equal(s.received[0]!.secure, true);
    await sendFails(mailerFromUrl(`smtps://127.0.0.1:${s.port}`) as SmtpMailer, /self-signed certificate|unable to verify/i);
    assert.equal(s.received.length, 1);
  });
});

describe('authentication', () => {
  const credentials = { user: 'mailer', password: 'p@ss:w/rd%' };

  test('logs in with the percent-decoded user and password of the URL', async () => {
    const s = await server({ credentials });
    const url = `smtp://mailer:${encodeURIComponent(credentials.password)}@127.0.0.1:${s.port}?tls=required`;
    await mailerFromUrl(url, { tls: { ca: CERT } }).send(MESSAGE);
    assert.equal(s.received.length, 1);
    assert.equal(s.received[0]!.user, 'mailer');
  });

  test('a wrong password fails without the password in the error', async () => {
    const s = await server({ credentials });
    const mailer = mailerFromUrl(`smtp://mailer:hunter2@127.0.0.1:${s.port}`, { tls: { ca: CERT } }) as SmtpMailer;
    await assert.rejects(mailer.send(MESSAGE), (err: unknown) => {
      assert.ok(err instanceof MailSendError);
      assert.equal(err.code, 'E_MAIL_SEND_FAILED');
      assert.match(err.message, /Invalid login|Invalid username or password/);
      assert.ok(!err.message.includes('hunter2'));
      return true;
    });
    assert.equal(s.received.length, 0);
  });
});
