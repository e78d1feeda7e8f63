/**
 * SSISDB's error numbers and their messages: the one mapper from a catalog error number to an
 * `SsoError` (BullMQ's `finished-errors.ts` idea). Every catalog adapter (SQLite, SQL Server) and the
 * T-SQL front door raise catalog errors only through `catalogError`, so the texts are identical
 * whichever catalog answered. `%s` placeholders are filled in order.
 */
import { SsoError } from './errors.ts';

export const CatalogErrorMessages = {
  27100: "The input parameter, '%s', cannot be null.",
  27101: "The input parameter, '%s', is not valid.",
  27102: "The input parameter, '%s', cannot be empty.",
  27103: 'Cannot find the execution with ID %s, or you do not have permission to access it.',
  27112: "Could not update the row in table '%s'.",
  27121: 'The execution has already been started, or has completed. An execution can be started only once.',
  27123: 'The operation cannot be started by an account that uses SQL Server Authentication. Start the operation with an account that uses Windows Authentication.',
  27124: 'The operation cannot be stopped: the operation is not valid or is not running.',
  27125: 'The operation cannot be stopped because it is in an inconsistent state.',
  27126: 'The operation cannot be stopped because it is already being stopped.',
  27138: "The input parameter, '%s', cannot be null.",
  27139: 'The server cannot be configured while operations are active. Wait for them to finish or stop them.',
  27140: 'The caller is not a member of a required database or server role (%s).',
  27143: 'Cannot access the operation with ID %s. Verify that the user has appropriate permissions.',
  27146: "Cannot access the package or the package does not exist: '%s'. Verify that the package exists and that the user has permissions to it.",
  27147: "The data type of the input value is not compatible with the data type of the parameter '%s' (expected %s).",
  27148: "The data type of the parameter '%s' does not match the data type of the environment variable '%s'.",
  27150: 'The project has changed since the execution was created. Create a new execution for the current version.',
  27159: "The parameter value of '%s' does not match its data type %s.",
  27176: "The parameter '%s' does not exist or you do not have sufficient permissions.",
  27178: "The user does not have permission to execute the project '%s'.",
  27182: "The environment '%s' does not exist or you have not been granted the appropriate permissions to access it.",
  27183: "The environment variable '%s' does not exist or you have not been granted the appropriate permissions to access it.",
  27184: 'The following parameters require values to be set before the execution can start: %s.',
  27195: 'The operation timed out waiting for a lock.',
  27208: "The environment reference '%s' does not exist for this project or you do not have sufficient permissions.",
  27212: 'Data taps can only be added while the execution is in the created state.',
  27217: "The logging level '%s' is undefined. Valid values are 0, 1, 2, 3, 4 and 100.",
  27219: "The caller does not have permission to run the procedure '%s'.",
  27221: "The sensitive environment variable '%s' cannot be referenced by the non-sensitive parameter '%s'.",
  27224: 'The parameter value cannot be changed after the execution has been started.',
  27237: "The customized logging level '%s' does not exist.",
  27242: "The cluster execution job '%s' does not exist or you do not have sufficient permissions.",
  27243: "The cluster worker agent '%s' does not exist or you do not have sufficient permissions.",
  27245: 'Failed to create the execution task for execution %s.',
  27246: "The cluster execution task '%s' does not exist or you do not have sufficient permissions.",
  27251: 'Cannot add a worker agent to the execution: the execution is already allowed to run on any worker agent.',
  27252: "The cluster worker agent '%s' is disabled.",
  27255: 'The job id of execution %s is null: it is not a Scale Out execution.',
  27256: "The event message '%s' does not exist.",
  27257: 'There is no active worker agent.',
  27259: 'Failed to enable worker agent because the current edition supports only a limited number of worker agents.',
  27260: 'Only a member of the sysadmin server role can perform this operation.',
  27261: 'There is no Scale Out Master installed.',
  // Our own additions in SSISDB's range, for rules the original enforces with a SQL Server error.
  27400: "The object name '%s' is not valid: %s.",
  27401: "The folder '%s' already exists.",
  27402: "The folder '%s' does not exist or you do not have permission to access it.",
  27403: "The project '%s' does not exist in folder '%s' or you do not have permission to access it.",
  27404: "The project stream is not a valid project: %s.",
  27405: "The project name '%s' does not match the name '%s' inside the project.",
  27406: "The worker agent '%s' has already been added to execution %s.",
  27407: "Login failed for user '%s'.",
  27408: "The login '%s' already exists.",
  27409: "The property '%s' is not a catalog property, or the value '%s' is not valid for it.",
  27410: "The environment '%s' already exists in folder '%s'.",
  27411: "The environment variable '%s' already exists in environment '%s'.",
  27412: "The project '%s' already references the environment '%s'.",
  27413: 'The data tap with ID %s does not exist or you do not have permission to access it.',
  27414: "Execution %s already has a data tap writing the file '%s'.",
} as const;

export type CatalogErrorNumber = keyof typeof CatalogErrorMessages;

export function formatCatalogMessage(number: CatalogErrorNumber, args: readonly unknown[]): string {
  let i = 0;
  return CatalogErrorMessages[number].replace(/%s/g, () => String(args[i++] ?? ''));
}

/** Builds the error a catalog procedure raises: code SSO_ERR_CATALOG, SSISDB's number, level 16. */
export function catalogError(number: CatalogErrorNumber, ...args: unknown[]): SsoError {
  return new SsoError('SSO_ERR_CATALOG', formatCatalogMessage(number, args), { number, level: 16 });
}

/** True when `error` is a catalog error with the given number. */
export function isCatalogError(error: unknown, number?: number): error is SsoError {
  return SsoError.is(error) && error.code === 'SSO_ERR_CATALOG' && (number === undefined || error.number === number);
}
