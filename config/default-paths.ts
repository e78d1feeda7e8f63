/**
 * Linux homes for what SSIS keeps under `%LOCALAPPDATA%\SSIS\Cluster\…` and the registry-bound
 * certificate stores: state (tasks, log caches, logs, certificates) under `$XDG_STATE_HOME/scaleout`
 * and the embedded catalog under `$XDG_DATA_HOME/scaleout`, with the XDG fallbacks in `~`.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

function xdg(env: Env, variable: string, fallback: string): string {
  const value = env[variable];
  // The XDG spec says relative values are invalid and must be ignored.
  return value !== undefined && isAbsolute(value) ? value : join(env['HOME'] && isAbsolute(env['HOME']) ? env['HOME'] : homedir(), fallback);
}

/** `$XDG_STATE_HOME/scaleout`, else `~/.local/state/scaleout`. */
export function stateRoot(env: Env = process.env): string {
  return join(xdg(env, 'XDG_STATE_HOME', '.local/state'), 'scaleout');
}

/** `$XDG_DATA_HOME/scaleout`, else `~/.local/share/scaleout`. */
export function dataRoot(env: Env = process.env): string {
  return join(xdg(env, 'XDG_DATA_HOME', '.local/share'), 'scaleout');
}

/** Every default folder in one place (the table in config/README.md). */
export function defaultPaths(env: Env = process.env) {
  const state = stateRoot(env);
  return {
    tasksRootFolder: join(state, 'tasks'),
    executionLogCacheFolder: join(state, 'agent', 'elogcache'),
    workerLogFolder: join(state, 'agent', 'logs'),
    masterLogFolder: join(state, 'master', 'logs'),
    certificateStoreRoot: join(state, 'certs'),
    catalogPath: join(dataRoot(env), 'catalog', 'ssisdb.sqlite'),
  } as const;
}
