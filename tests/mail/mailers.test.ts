// The console, file and memory mailers, the checks every mailer runs (header and address
// injection), and the EMAIL_URL factory.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { html } from 'rampart';
import {
  ConsoleMailer,
  FileMailer,
  MAIL_DEFAULTS,
  MailConfigError,
  MailHeaderInjectionError,
  MailMessageError,
  MemoryMailer,
  SmtpMailer,
  mailerFromEnv,
  mailerFromUrl,
  type MailMessage,
} from 'rampart/mail';

const MESSAGE: MailMessage = { to: 'ada@example.com', subject: 'Welcome', text: 'Hello Ada' };

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function header(raw: string, name: string): string | undefined {
  const m = new RegExp(`^${name}: (.*)$`, 'mi').exec(raw);
  return m?.[1]?.trim();
}

describe('console mailer', () => {
  test('writes the whole message and a separator line to its stream', async () => {
    const out = capture();
    const mailer = new ConsoleMailer({ stream: out.stream, from: 'Site <no-reply@example.com>' });
    const sent = await mailer.send({ ...MESSAGE, cc: 'Grace <grace@example.com>', bcc: ['boss@example.com'] });
    const text = out.text();
    assert.equal(header(text, 'From'), 'Site <no-reply@example.com>');
    assert.equal(header(text, 'To'), 'ada@example.com');
    assert.equal(header(text, 'Cc'), 'Grace <grace@example.com>');
    assert.equal(header(text, 'Subject'), 'Welcome');
    assert.equal(header(text, 'Bcc'), undefined); // never written into the message
    assert.ok(text.includes('\n\nHello Ada\n'));
    assert.ok(text.endsWith('\n' + '-'.repeat(79) + '\n'));
    assert.match(sent.messageId, /^<[^@\s]+@example\.com>$/);
    assert.equal(header(text, 'Message-ID'), sent.messageId);
    assert.deepEqual(sent.accepted, ['ada@example.com', 'grace@example.com', 'boss@example.com']);
    assert.deepEqual(sent.rejected, []);
  });

  test('an HTML alternative is a multipart/alternative part', async () => {
    const out = capture();
    await new ConsoleMailer({ stream: out.stream }).send({ ...MESSAGE, html: html`<p>Hello ${'<Ada>'}</p>` });
    const text = out.text();
    assert.match(text, /^Content-Type: multipart\/alternative;\s+boundary="[^"]+"$/m);
    assert.ok(text.includes('<p>Hello &lt;Ada&gt;</p>'));
    assert.equal(header(text, 'From'), MAIL_DEFAULTS.from);
  });
});

describe('memory mailer', () => {
  test('keeps each checked message and its raw form in the outbox, in order', async () => {
    const mailer = new MemoryMailer();
    await mailer.send(MESSAGE);
    await mailer.send({ to: ['a@example.com', 'B <b@example.com>'], subject: 'Ünïcode ✓', text: 'x', replyTo: 'help@example.com' });
    assert.equal(mailer.outbox.length, 2);
    const [first, second] = mailer.outbox;
    assert.deepEqual(
      { from: first!.from, to: first!.to, cc: first!.cc, bcc: first!.bcc, subject: first!.subject, text: first!.text, html: first!.html },
      { from: 'webmaster@localhost', to: ['ada@example.com'], cc: [], bcc: [], subject: 'Welcome', text: 'Hello Ada', html: undefined },
    );
    assert.deepEqual(second!.to, ['a@example.com', 'B <b@example.com>']);
    assert.equal(second!.replyTo, 'help@example.com');
    assert.equal(header(second!.raw, 'Subject'), '=?UTF-8?Q?=C3=9Cn=C3=AFcode_=E2=9C=93?=');
    assert.equal(header(second!.raw, 'Reply-To'), 'help@example.com');
    mailer.clear();
    assert.equal(mailer.outbox.length, 0);
  });
});

describe('file mailer', () => {
  test('writes one .eml file per message, owner-only, in a folder it creates', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rampart-mail-'));
    try {
      const dir = join(root, 'var', 'mail');
      const mailer = new FileMailer({ dir });
      const a = await mailer.send(MESSAGE);
      const b = await mailer.send({ ...MESSAGE, subject: 'Second' });
      const files = readdirSync(dir).sort();
      assert.equal(files.length, 2);
      for (const f of files) assert.match(f, /^\d{8}-\d{6}-[0-9a-f]{12}\.eml$/);
      assert.notEqual(a.path, b.path);
      const raw = readFileSync(a.path, 'utf8');
      assert.equal(header(raw, 'Subject'), 'Welcome');
      assert.ok(raw.includes('\r\n\r\nHello Ada'), 'CRLF line ends, as in a real message');
      assert.equal(header(readFileSync(b.path, 'utf8'), 'Subject'), 'Second');
      assert.equal(statSync(a.path).mode & 0o777, 0o600);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('every mailer refuses unsafe messages', () => {
  const mailers = () => [new MemoryMailer(), new ConsoleMailer({ stream: new PassThrough() })];

  async function refused(message: MailMessage, Class: typeof MailMessageError, code: string, field: string, text: RegExp): Promise<void> {
    for (const mailer of mailers()) {
      await assert.rejects(mailer.send(message), (err: unknown) => {
        assert.ok(err instanceof Class, `${String(err)}`);
        assert.equal((err as MailMessageError).code, code);
        assert.equal((err as MailMessageError).field, field);
        assert.match((err as Error).message, text);
        return true;
      });
    }
  }

  test('a line break or control character in the subject is header injection', async () => {
    for (const subject of ['Hi\r\nBcc: victim@example.com', 'Hi\nX-Spam: yes', 'Hi\rthere', 'Hi\u0000', 'Tab\there']) {
      await refused({ ...MESSAGE, subject }, MailHeaderInjectionError, 'E_MAIL_HEADER_INJECTION', 'subject', /^The subject of the message contains a line break or control character \(".*"\); it was not sent\.$/);
    }
  });

  test('a line break in any address is header injection', async () => {
    const evil = 'ada@example.com\r\nBcc: victim@example.com';
    await refused({ ...MESSAGE, to: evil }, MailHeaderInjectionError, 'E_MAIL_HEADER_INJECTION', 'to', /^The to of the message contains a line break/);
    await refused({ ...MESSAGE, to: ['ok@example.com', evil] }, MailHeaderInjectionError, 'E_MAIL_HEADER_INJECTION', 'to', /line break/);
    await refused({ ...MESSAGE, cc: evil }, MailHeaderInjectionError, 'E_MAIL_HEADER_INJECTION', 'cc', /line break/);
    await refused({ ...MESSAGE, bcc: evil }, MailHeaderInjectionError, 'E_MAIL_HEADER_INJECTION', 'bcc', /line break/);
    await refused({ ...MESSAGE, from: 'x@example.com\nBcc: v@example.com' }, MailHeaderInjectionError, 'E_MAIL_HEADER_INJECTION', 'from', /line break/);
    await refused({ ...MESSAGE, replyTo: 'x@example.com\r\n' }, MailHeaderInjectionError, 'E_MAIL_HEADER_INJECTION', 'replyTo', /line break/);
  });

  test('an address entry that is several addresses, a group or no address is refused', async () => {
    for (const to of ['Ada <ada@example.com>, victim@example.com', 'ada@example.com;victim@example.com', 'friends: a@example.com, b@example.com;', 'not an address', '', '@example.com']) {
      await refused({ ...MESSAGE, to }, MailMessageError, 'E_MAIL_ADDRESS_INVALID', 'to', /is not exactly one email address\.$/);
    }
    // A quoted display name with a comma is one address.
    const mailer = new MemoryMailer();
    await mailer.send({ ...MESSAGE, to: '"Lovelace, Ada" <ada@example.com>' });
    assert.deepEqual(mailer.outbox[0]!.to, ['"Lovelace, Ada" <ada@example.com>']);
  });

  test('a message without recipients, text or subject is refused', async () => {
    await refused({ ...MESSAGE, to: [] }, MailMessageError, 'E_MAIL_MESSAGE_INVALID', 'to', /^The message has no recipient/);
    await refused({ ...MESSAGE, text: undefined as unknown as string }, MailMessageError, 'E_MAIL_MESSAGE_INVALID', 'text', /needs a text body/);
    await refused({ ...MESSAGE, subject: 5 as unknown as string }, MailMessageError, 'E_MAIL_MESSAGE_INVALID', 'subject', /needs a subject string/);
    await refused({ ...MESSAGE, subject: 'x'.repeat(999) }, MailMessageError, 'E_MAIL_MESSAGE_INVALID', 'subject', /is 999 characters long; keep it under 998/);
    const many = Array.from({ length: 101 }, (_, i) => `u${i}@example.com`);
    await refused({ ...MESSAGE, to: many }, MailMessageError, 'E_MAIL_MESSAGE_INVALID', 'to', /more than 100 recipients/);
  });

  test('nothing is written when a message is refused', async () => {
    const out = capture();
    const mailer = new ConsoleMailer({ stream: out.stream });
    await assert.rejects(mailer.send({ ...MESSAGE, subject: 'a\nb' }));
    assert.equal(out.text(), '');
  });
});

describe('mailerFromUrl', () => {
  test('picks the mailer from the scheme', () => {
    assert.ok(mailerFromUrl('console:') instanceof ConsoleMailer);
    assert.ok(mailerFromUrl('console://') instanceof ConsoleMailer);
    assert.ok(mailerFromUrl('memory:') instanceof MemoryMailer);
    const file = mailerFromUrl('file:./var/mail');
    assert.ok(file instanceof FileMailer);
    assert.equal(file.dir, join(process.cwd(), 'var', 'mail'));
    const abs = mailerFromUrl(pathToFileURL(join(tmpdir(), 'rampart mail')).href);
    assert.ok(abs instanceof FileMailer);
    assert.equal(abs.dir, join(tmpdir(), 'rampart mail'));
    const smtp = mailerFromUrl('smtp://user:p%40ss@mail.example.com');
    assert.ok(smtp instanceof SmtpMailer);
    assert.deepEqual([smtp.host, smtp.port], ['mail.example.com', 587]);
    const smtps = mailerFromUrl('smtps://mail.example.com');
    assert.ok(smtps instanceof SmtpMailer);
    assert.equal(smtps.port, 465);
    assert.equal((mailerFromUrl('smtp://[::1]:2525') as SmtpMailer).host, '::1');
  });

  test('passes the sender on', async () => {
    const mailer = mailerFromUrl('memory:', { from: 'Site <site@example.com>' }) as MemoryMailer;
    await mailer.send(MESSAGE);
    assert.equal(mailer.outbox[0]!.from, 'Site <site@example.com>');
  });

  test('refuses what it cannot use, without echoing a password', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /^EMAIL_URL is empty\.$/],
      ['sendmail:', /^EMAIL_URL has an unknown scheme 'sendmail'\.$/],
      ['mail.example.com', /^EMAIL_URL has an unknown scheme 'mail.example.com'\.$/],
      ['console:stdout', /console: takes nothing after the colon/],
      ['file:', /file: needs a folder/],
      ['smtp://', /^EMAIL_URL has no host: write smtp:\/\/mail\.example\.com\.$/],
      ['smtp://user:hunter2@', /^EMAIL_URL is not a valid smtp URL\.$/],
      ['smtp://user:hunter2@mail example.com', /^EMAIL_URL is not a valid smtp URL\.$/],
      ['smtp://mail.example.com/inbox', /has a path \(\/inbox\)/],
      ['smtp://mail.example.com?secure=1', /unknown parameter 'secure'/],
      ['smtp://mail.example.com?tls=off', /tls must be 'required' or 'optional', got 'off'/],
      ['smtps://mail.example.com?tls=optional', /smtps:\/\/ is always TLS/],
      ['smtp://mail.example.com:0', /port must be an integer from 1 to 65535/],
    ];
    for (const [url, message] of cases) {
      assert.throws(() => mailerFromUrl(url), (err: unknown) => {
        assert.ok(err instanceof MailConfigError, url);
        assert.equal(err.code, 'E_MAIL_URL_INVALID');
        assert.match(err.message, message, url);
        assert.ok(!err.message.includes('hunter2'));
        return true;
      });
    }
  });
});

describe('mailerFromEnv', () => {
  test('reads EMAIL_URL and EMAIL_FROM', async () => {
    const mailer = mailerFromEnv({ EMAIL_URL: 'memory:', EMAIL_FROM: 'ops@example.com' }) as MemoryMailer;
    await mailer.send(MESSAGE);
    assert.equal(mailer.outbox[0]!.from, 'ops@example.com');
  });

  test('prints to the console outside production when EMAIL_URL is unset', async () => {
    const out = capture();
    const mailer = mailerFromEnv({ NODE_ENV: 'development' }, { stream: out.stream });
    assert.ok(mailer instanceof ConsoleMailer);
    await mailer.send(MESSAGE);
    assert.equal(header(out.text(), 'Subject'), 'Welcome');
  });

  test('refuses to start in production without EMAIL_URL', () => {
    for (const env of [{ NODE_ENV: 'production' }, { NODE_ENV: 'production', EMAIL_URL: '' }]) {
      assert.throws(() => mailerFromEnv(env), (err: unknown) => {
        assert.ok(err instanceof MailConfigError);
        assert.equal(err.code, 'E_MAIL_NOT_CONFIGURED');
        assert.equal(err.message, 'Refusing to start in production without EMAIL_URL: password-reset and other mail would be lost.');
        return true;
      });
    }
    assert.ok(mailerFromEnv({ NODE_ENV: 'production', EMAIL_URL: 'smtps://mail.example.com' }) instanceof SmtpMailer);
  });
});
