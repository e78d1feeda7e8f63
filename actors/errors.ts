/**
 * The one error registry of the project. Every error we raise carries a stable string `code`
 * (`SSO_ERR_*`); errors that reach a T-SQL caller also carry SSISDB's error `number` (27100…27261,
 * or SQL Server's own 102/201/2812/8114/8145 for the T-SQL front door).
 *
 * Rules (as Fastify's `lib/errors.js`): the export key equals the code, codes are never reused,
 * and `tests/actors/errors.test.ts` pins the count. Errors cross threads and sockets as data:
 * use `serializeError` / `deserializeError`, and branch on `code`, never on `instanceof` alone.
 */

export interface ErrorDefinition {
  /** Stable code, `SSO_ERR_*`; equals the registry key. */
  readonly code: string;
  /** One-line meaning, for the docs table. */
  readonly meaning: string;
}

function def<K extends string>(code: K, meaning: string): ErrorDefinition & { code: K } {
  return { code, meaning };
}

export const ErrorCodes = {
  SSO_ERR_CONFIG_INVALID: def('SSO_ERR_CONFIG_INVALID', 'A settings file or setting is malformed or out of range'),
  SSO_ERR_CONFIG_IO: def('SSO_ERR_CONFIG_IO', 'A settings file cannot be read or written'),
  SSO_ERR_CATALOG: def('SSO_ERR_CATALOG', 'A catalog procedure raised an SSISDB error (see `number`)'),
  SSO_ERR_CATALOG_IO: def('SSO_ERR_CATALOG_IO', 'The catalog database cannot be opened or written'),
  SSO_ERR_PROJECT_INVALID: def('SSO_ERR_PROJECT_INVALID', 'A project (.ispac or folder) is corrupt, truncated or incomplete'),
  SSO_ERR_PACKAGE_INVALID: def('SSO_ERR_PACKAGE_INVALID', 'A package (.dtsx) cannot be loaded'),
  SSO_ERR_PACKAGE_UNSUPPORTED: def('SSO_ERR_PACKAGE_UNSUPPORTED', 'A package uses a component that cannot run here'),
  SSO_ERR_PACKAGE_VALIDATION: def('SSO_ERR_PACKAGE_VALIDATION', 'A package failed validation (unresolved reference, bad property)'),
  SSO_ERR_PACKAGE_RUN: def('SSO_ERR_PACKAGE_RUN', 'A package failed while running'),
  SSO_ERR_DATAFLOW_DATA: def('SSO_ERR_DATAFLOW_DATA', 'A data flow component met data it cannot read, convert or write (names component, column, row)'),
  SSO_ERR_EXPRESSION_SYNTAX: def('SSO_ERR_EXPRESSION_SYNTAX', 'An SSIS expression has a syntax error'),
  SSO_ERR_EXPRESSION_EVAL: def('SSO_ERR_EXPRESSION_EVAL', 'An SSIS expression failed to evaluate (type, overflow, conversion)'),
  SSO_ERR_TSQL: def('SSO_ERR_TSQL', 'A T-SQL statement failed (see `number`)'),
  SSO_ERR_PROTOCOL: def('SSO_ERR_PROTOCOL', 'A malformed or unexpected frame on the agent channel'),
  SSO_ERR_TLS: def('SSO_ERR_TLS', 'A certificate is missing, untrusted, expired or does not match'),
  SSO_ERR_ILLEGAL_STATE: def('SSO_ERR_ILLEGAL_STATE', 'A call made in a lifecycle state that does not allow it'),
  SSO_ERR_TASK_ABORTED: def('SSO_ERR_TASK_ABORTED', 'A package run was cancelled'),
  SSO_ERR_TASK_CRASHED: def('SSO_ERR_TASK_CRASHED', 'A package thread crashed, ran out of memory or was terminated'),
  SSO_ERR_CLI_USAGE: def('SSO_ERR_CLI_USAGE', 'A command line is malformed'),
  SSO_ERR_AUTH: def('SSO_ERR_AUTH', 'A login failed or the caller lacks a role'),
  SSO_ERR_CONNECTION: def('SSO_ERR_CONNECTION', 'A package connection manager cannot connect'),
  SSO_ERR_AGENT_IO: def('SSO_ERR_AGENT_IO', 'A worker agent cannot read or write its local files (report journal, task logs)'),
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface SsoErrorOptions {
  readonly cause?: unknown;
  /** SSISDB / SQL Server error number, when the error is T-SQL facing. */
  readonly number?: number;
  /** Severity as SQL Server prints it (`Level`); 16 by default for catalog errors. */
  readonly level?: number;
  /** Where the error is: file and line, package path, procedure name, key… */
  readonly where?: string;
}

const kSsoError = Symbol.for('scaleout.SsoError');

/** The base of every error the project raises on purpose. */
export class SsoError extends Error {
  readonly code: ErrorCode;
  readonly number: number | undefined;
  readonly level: number;
  readonly where: string | undefined;

  constructor(code: ErrorCode, message: string, options: SsoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SsoError';
    this.code = code;
    this.number = options.number;
    this.level = options.level ?? 16;
    this.where = options.where;
  }

  /** Realm-safe check: works for errors rebuilt on the far side of a thread or socket. */
  static is(value: unknown): value is SsoError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kSsoError] === true;
  }
}
Object.defineProperty(SsoError.prototype, kSsoError, { value: true });

/** Plain data form of an error, for thread messages and wire frames. */
export interface SerializedError {
  readonly name: string;
  readonly code?: string;
  readonly number?: number;
  readonly message: string;
  readonly where?: string;
  readonly stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (SsoError.is(error)) {
    return {
      name: error.name, code: error.code, message: error.message,
      ...(error.number === undefined ? {} : { number: error.number }),
      ...(error.where === undefined ? {} : { where: error.where }),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name, message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { name: 'Error', message: String(error) };
}

export function deserializeError(data: SerializedError): Error {
  if (data.code !== undefined && data.code in ErrorCodes) {
    const e = new SsoError(data.code as ErrorCode, data.message, {
      ...(data.number === undefined ? {} : { number: data.number }),
      ...(data.where === undefined ? {} : { where: data.where }),
    });
    if (data.stack !== undefined) e.stack = data.stack;
    return e;
  }
  const e = new Error(data.message);
  e.name = data.name;
  if (data.stack !== undefined) e.stack = data.stack;
  return e;
}
