/**
 * `rampart/testing`: the test client and helpers the framework's own tests use.
 *
 * @module
 */
export { TestClient, testClient, liveServer } from './test-client.js';
export type { TestClientOptions, TestRequestOptions, TestResponse } from './test-client.js';
export { CookieJar } from './cookie-jar.js';
export { parseSetCookie } from './set-cookie.js';
export type { SetCookie } from './set-cookie.js';
