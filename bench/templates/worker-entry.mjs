// Entry point of the engine worker threads: Node 20 does not apply the main thread's `--import tsx`
// to workers, so register tsx here before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
