/**
 * One worker process of tests/db/sqlite-processes.test.ts: `count` read-then-write transactions
 * on a shared counter row; prints how many failed.
 */
import { connect, field, model } from '../../../src/db/index.ts';

const Counter = model('proc_counter', { n: field.integer() });
const [url, count, mode] = process.argv.slice(2) as [string, string, 'immediate' | 'deferred'];
const db = await connect({ url, models: [Counter], sqliteTransactions: mode });
let failed = 0;
const messages = new Set<string>();
for (let i = 0; i < Number(count); i++) {
  try {
    await db.transaction(async () => {
      const c = await db.query(Counter).get(1);
      await db.query(Counter).filter({ id: 1 }).update({ n: c!.n + 1 });
    });
  } catch (err) {
    failed++;
    messages.add((err as Error).message.slice(0, 100));
  }
}
await db.close();
console.log(JSON.stringify({ failed, messages: [...messages] }));
