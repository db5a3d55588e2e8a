/**
 * Session keys are typed through SessionData: `npx tsc` fails if a @ts-expect-error line below
 * stops being an error. The test also runs the valid calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rampart, type Context } from 'rampart';
import { sessions, MemoryStore, type Session } from 'rampart/sessions';
import { testClient } from 'rampart/testing';

declare module 'rampart/sessions' {
  interface SessionData {
    typedCart: string[];
    typedTheme: 'light' | 'dark';
  }
}

function useSession(req: Context): { cart: string[]; theme: 'light' | 'dark' | undefined } {
  const session: Session = req.session;
  session.set('typedCart', ['a']);
  // @ts-expect-error typedCart holds string[], not a number
  if (req.query.has('never')) session.set('typedCart', 1);
  // @ts-expect-error typedTheme is 'light' | 'dark'
  if (req.query.has('never')) session.set('typedTheme', 'blue');
  // @ts-expect-error keys not declared in SessionData do not exist
  if (req.query.has('never')) session.get('undeclared');
  const cart: string[] | undefined = session.get('typedCart');
  return { cart: cart ?? [], theme: session.get('typedTheme') };
}

test('declared keys are typed on get and set', async () => {
  const app = rampart({ env: 'test' });
  app.use(sessions({ store: new MemoryStore() }));
  app.get('/', (req) => useSession(req));
  assert.deepEqual((await testClient(app).get('/')).json(), { cart: ['a'] });
});
