/**
 * The Piscina `filename`: the code that runs inside a package thread. It only dispatches: it ties the
 * run's AbortSignal to `cancel` messages on the run's port, calls the runner (the package engine by
 * default), forwards the engine's events on the port, and ends with exactly one terminal message.
 */
import { isMainThread, threadId } from 'node:worker_threads';
import { SsoError, serializeError } from '../../actors/errors.ts';
import type { PackageEvent } from '../package/api.ts';
import {
  ThreadMessageType, describeInvalidResult, isPortInput,
  type PortOutput, type RunPackageInput, type TerminalOutput, type ThreadRunner,
} from './thread-protocol.ts';

if (isMainThread) {
  throw new SsoError('SSO_ERR_ILLEGAL_STATE', 'executor/pool/task-thread is a worker-thread entry; it must not be imported on the main thread', {
    where: import.meta.url,
  });
}

// The engine is imported lazily and with this file's own extension, so the same code loads
// `run-package.ts` under tsx and `run-package.js` from dist/.
const ownExtension = /\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? '.js';
const ENGINE_URL = new URL(`../package/run-package${ownExtension}`, import.meta.url).href;

const runners = new Map<string, Promise<ThreadRunner>>();

/**
 * Under `node --import tsx` on Node 20, tsx registers its ESM hooks on the main thread only (its CJS
 * hook, which is how Piscina loads this file, does reach threads). So a `.ts` module that `import()`
 * rejects with ERR_UNKNOWN_FILE_EXTENSION is loaded through tsx's `tsImport` (ESM semantics, top-level
 * await included). Compiled `.js` from dist/ always takes plain `import()`.
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return await import(url) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { tsImport } = await import('tsx/esm/api');
    return await tsImport(url, import.meta.url) as Record<string, unknown>;
  }
}

function loadRunner(url: string): Promise<ThreadRunner> {
  let loading = runners.get(url);
  if (loading === undefined) {
    loading = importModule(url).then((mod) => {
      const fn = mod.runPackage ?? mod.default;
      if (typeof fn !== 'function') {
        throw new SsoError('SSO_ERR_PACKAGE_RUN', `runner module ${url} exports neither runPackage nor a default function`, { where: url });
      }
      return fn as ThreadRunner;
    }, (cause: unknown) => {
      throw new SsoError('SSO_ERR_PACKAGE_RUN', `cannot load the package runner ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { where: url, cause });
    });
    // A failed load is not cached: the next run retries (the engine may be mid-deployment).
    loading.catch(() => runners.delete(url));
    runners.set(url, loading);
  }
  return loading;
}

export default async function runInThread(input: RunPackageInput): Promise<TerminalOutput> {
  const { requestId, port } = input;
  const post = (message: PortOutput): void => port.postMessage(message);
  const controller = new AbortController();

  port.on('message', (message: unknown) => {
    if (!isPortInput(message, requestId) || controller.signal.aborted) return;
    controller.abort(new SsoError('SSO_ERR_TASK_ABORTED', `run canceled: ${message.reason}`));
    post({ type: ThreadMessageType.progress, requestId, stage: 'canceling', threadId, at: Date.now() });
  });
  post({ type: ThreadMessageType.progress, requestId, stage: 'started', threadId, at: Date.now() });

  let terminal: TerminalOutput;
  try {
    const runner = await loadRunner(input.runner ?? ENGINE_URL);
    const sink = {
      emit(event: PackageEvent): void {
        post({ type: ThreadMessageType.event, requestId, event });
      },
    };
    // A cancel that arrived while the runner was loading ends the run before it begins.
    const result = controller.signal.aborted
      ? { outcome: 'canceled' as const, errors: [] }
      : await runner(input.request, sink, controller.signal, input.runnerData);
    const problem = describeInvalidResult(result);
    terminal = problem === null
      ? { type: ThreadMessageType.done, requestId, result }
      : {
          type: ThreadMessageType.error, requestId,
          error: serializeError(new SsoError('SSO_ERR_PACKAGE_RUN', `the package runner returned an invalid result (${problem})`, { where: input.runner ?? ENGINE_URL })),
        };
  } catch (error) {
    terminal = { type: ThreadMessageType.error, requestId, error: serializeError(error) };
  }
  post(terminal);
  // Closing our end tells the pool that every message of this run has been delivered.
  port.close();
  return terminal;
}
