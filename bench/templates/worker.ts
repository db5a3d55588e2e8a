// A worker thread that runs one engine, in its own V8 isolate: it loads no other engine's code, and
// no other engine's code can change the built-in prototypes its code is optimised against.
// Started through worker-entry.mjs (which registers tsx); driven by run.ts over messages.
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type EngineId, type ScenarioId } from './engines.js';
import { measure, warmUp } from './measure.js';

export type Request =
  | { readonly id: number; readonly op: 'render'; readonly scenario: ScenarioId }
  | { readonly id: number; readonly op: 'warmup'; readonly scenario: ScenarioId; readonly seconds: number }
  | { readonly id: number; readonly op: 'measure'; readonly scenario: ScenarioId; readonly seconds: number; readonly batch: number };

export type Reply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

export interface WorkerInit {
  readonly engine: EngineId;
}

const port = parentPort!;
const engine = await createEngine((workerData as WorkerInit).engine);

port.on('message', (req: Request) => {
  let reply: Reply;
  try {
    const render = engine.render[req.scenario];
    const value = req.op === 'render' ? render() : req.op === 'warmup' ? warmUp(render, req.seconds) : measure(render, req.seconds, req.batch);
    reply = { id: req.id, ok: true, value };
  } catch (err) {
    reply = { id: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  port.postMessage(reply);
});
port.postMessage({ id: 0, ok: true, value: { id: engine.id, pkg: engine.pkg, notes: engine.notes } } satisfies Reply);
