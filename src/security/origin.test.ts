import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originOf, trustedOriginMatcher } from './origin.js';

test('originOf serializes http(s) origins and refuses the rest', () => {
  assert.equal(originOf('https://Example.COM:443/path?q', false), 'https://example.com');
  assert.equal(originOf('http://localhost:8000', true), 'http://localhost:8000');
  assert.equal(originOf('https://example.com/', true), null);
  assert.equal(originOf('HTTPS://example.com', true), null);
  assert.equal(originOf('https://user:pw@example.com', false), null);
  assert.equal(originOf('javascript:alert(1)', false), null);
  assert.equal(originOf('null', true), null);
  assert.equal(originOf('', false), null);
});

test('trusted origins match exactly, and wildcards match subdomains only', () => {
  const trusted = trustedOriginMatcher(['https://shop.example', 'https://*.partner.example', 'http://*.dev.example:8080']);
  assert.equal(trusted('https://shop.example'), true);
  assert.equal(trusted('http://shop.example'), false);
  assert.equal(trusted('https://a.partner.example'), true);
  assert.equal(trusted('https://a.b.partner.example'), true);
  assert.equal(trusted('https://partner.example'), false);
  assert.equal(trusted('https://evilpartner.example'), false);
  assert.equal(trusted('https://a.partner.example:444'), false);
  assert.equal(trusted('http://x.dev.example:8080'), true);
  assert.equal(trusted('http://x.dev.example'), false);
  assert.equal(trustedOriginMatcher([])('https://shop.example'), false);
});
