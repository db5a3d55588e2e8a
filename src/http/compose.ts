/**
 * Builds one function per route from the handler and the middleware and error handlers of every
 * group it sits in, at startup. A route with no middleware runs its handler directly.
 *
 * @module
 */
import type { ErrorHandler, Middleware } from '../routing/group.js';
import type { Context } from './context.js';
import { RampartError } from '../errors.js';
import { toResponse, type HttpResponse } from './response.js';

export type Chain = (req: Context) => unknown;

/** Middleware and error handlers of one group, outermost first in a route's layer list. */
export interface Layer {
  readonly middleware: readonly Middleware[];
  readonly errorHandlers: readonly ErrorHandler[];
}

/** A middleware misuse; the message names the middleware. */
export class MiddlewareError extends RampartError {}

function nameOf(fn: { name: string }): string {
  return fn.name === '' ? '(anonymous)' : fn.name;
}

function composeMiddleware(middleware: readonly Middleware[], inner: Chain): Chain {
  const run = async (req: Context, i: number): Promise<unknown> => {
    if (i === middleware.length) return inner(req);
    const mw = middleware[i]!;
    let nextCalled: Promise<HttpResponse> | null = null;
    const next = (): Promise<HttpResponse> => {
      if (nextCalled !== null) {
        return Promise.reject(new MiddlewareError('E_MIDDLEWARE_NEXT_TWICE', `Middleware ${nameOf(mw)} called next() twice.`));
      }
      nextCalled = run(req, i + 1).then(toResponse);
      return nextCalled;
    };
    const out = await mw(req, next);
    if (out !== undefined) return out;
    if (nextCalled !== null) return nextCalled;
    throw new MiddlewareError(
      'E_MIDDLEWARE_NO_RESPONSE',
      `Middleware ${nameOf(mw)} neither returned a response nor called next().`,
      { hint: 'End the middleware with `return next()`, or return a response to answer early.' },
    );
  };
  return (req) => run(req, 0);
}

function withErrorHandlers(handlers: readonly ErrorHandler[], inner: Chain): Chain {
  return async (req) => {
    try {
      return await inner(req);
    } catch (first) {
      let err: unknown = first;
      for (const handle of handlers) {
        try {
          const out = await handle(err, req);
          if (out !== undefined) return out;
        } catch (next) {
          err = next;
        }
      }
      throw err;
    }
  };
}

/** Composes the layers (outermost first) around a handler. Returns null when there is nothing to wrap. */
export function buildChain(layers: readonly Layer[], handler: Chain): Chain | null {
  let fn = handler;
  let wrapped = false;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (layer.middleware.length > 0) {
      fn = composeMiddleware(layer.middleware, fn);
      wrapped = true;
    }
    if (layer.errorHandlers.length > 0) {
      fn = withErrorHandlers(layer.errorHandlers, fn);
      wrapped = true;
    }
  }
  return wrapped ? fn : null;
}
