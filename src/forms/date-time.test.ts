import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime, isTimeZone, parseDateTime } from './date-time.js';

test('datetime-local values are read in the given zone, offsets as written', () => {
  const cases: [string, string, string | null][] = [
    ['2024-05-01T10:30', 'UTC', '2024-05-01T10:30:00.000Z'],
    ['2024-05-01 10:30:05.25', 'UTC', '2024-05-01T10:30:05.250Z'],
    ['2024-07-01T12:00', 'Europe/Paris', '2024-07-01T10:00:00.000Z'],
    ['2024-01-01T12:00', 'America/New_York', '2024-01-01T17:00:00.000Z'],
    ['2024-05-01T10:30Z', 'Europe/Paris', '2024-05-01T10:30:00.000Z'],
    ['2024-05-01T10:30:00-05:30', 'UTC', '2024-05-01T16:00:00.000Z'],
    ['0099-12-31T23:59', 'UTC', '0099-12-31T23:59:00.000Z'],
  ];
  for (const [text, zone, iso] of cases) assert.equal(parseDateTime(text, zone)?.toISOString() ?? null, iso, `${text} ${zone}`);
});

test('a time skipped by a daylight-saving change moves forward; a repeated one is one of its instants', () => {
  assert.equal(parseDateTime('2024-03-31T02:30', 'Europe/Paris')?.toISOString(), '2024-03-31T01:30:00.000Z'); // 03:30 CEST
  assert.equal(parseDateTime('2024-03-10T02:30', 'America/New_York')?.toISOString(), '2024-03-10T07:30:00.000Z'); // 03:30 EDT
  const twice = parseDateTime('2024-10-27T02:30', 'Europe/Paris')!.toISOString();
  assert.ok(['2024-10-27T00:30:00.000Z', '2024-10-27T01:30:00.000Z'].includes(twice), twice);
});

test('anything else is not a date and time', () => {
  for (const text of ['2024-02-30T10:00', '2024-05-01T24:00', '2024-05-01T10:60', '2024-05-01', '2024-05-01T10', '10:30', '2024-05-01T10:30+25:00', ' 2024-05-01T10:30', '2024-05-01T10:30:00.1234567890', '']) {
    assert.equal(parseDateTime(text, 'UTC'), null, text);
  }
});

test('a Date is shown as a datetime-local value, with seconds only when it has some', () => {
  assert.equal(formatDateTime(new Date('2024-05-01T10:30:00Z'), 'UTC'), '2024-05-01T10:30');
  assert.equal(formatDateTime(new Date('2024-05-01T10:30:07.9Z'), 'UTC'), '2024-05-01T10:30:07');
  assert.equal(formatDateTime(new Date('2024-07-01T10:00:00Z'), 'Europe/Paris'), '2024-07-01T12:00');
  assert.equal(formatDateTime(new Date('0099-01-01T00:00:00Z'), 'UTC'), '0099-01-01T00:00');
  assert.equal(formatDateTime(new Date(Number.NaN), 'UTC'), '');
});

test('time zone names are checked', () => {
  assert.equal(isTimeZone('Europe/Paris'), true);
  assert.equal(isTimeZone('UTC'), true);
  assert.equal(isTimeZone('Not/AZone'), false);
});
