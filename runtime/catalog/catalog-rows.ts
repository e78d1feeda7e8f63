/**
 * Catalog rows → the port's records, shared by every adapter: the SQLite and SQL Server catalogs
 * return the same columns (task and worker rows of SSISDB's shape), differing only in how a driver
 * hands over times (ISO text or `Date`), bits (0/1 or boolean) and GUIDs (any case).
 */
import type { TaskRecord, WorkerAgentRecord } from '../../actors/ports.ts';
import { SsoError } from '../../actors/errors.ts';

export type Row = Record<string, unknown>;

/** Milliseconds since the epoch from `datetimeoffset` text or a driver's `Date`; null when absent. */
export function msOf(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value.getTime();
  const n = Date.parse(String(value));
  return Number.isNaN(n) ? null : n;
}
export function num(v: unknown): number {
  return Number(v);
}
export function bool(v: unknown): boolean {
  return v === 1 || v === 1n || v === true;
}
export function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
function guidOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v).toLowerCase();
}

/** `InputData`: a JSON array of `{name, value}` pairs (execution_id, use32bitruntime, operation_guid, stop_id). */
export function parseInputData(text: unknown): { name: string; value: string }[] {
  if (typeof text !== 'string' || text === '') return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v)
      ? v.filter((x): x is { name: string; value: unknown } => typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string')
        .map((x) => ({ name: x.name, value: String(x.value) }))
      : [];
  } catch {
    return [];
  }
}

export function toTaskRecord(r: Row): TaskRecord {
  const inputData = parseInputData(r['InputData']);
  return {
    taskId: String(r['TaskId']).toLowerCase(),
    jobId: String(r['JobId']).toLowerCase(),
    taskType: num(r['TaskType']),
    executionId: Number(inputData.find((p) => p.name === 'execution_id')?.value ?? -1),
    status: num(r['Status']),
    maxExecutedCount: num(r['MaxExecutedCount']),
    executedCount: num(r['ExecutedCount']),
    isCancelled: bool(r['IsCancelled']),
    workerAgentId: guidOrNull(r['WorkerAgentId']),
    readyForDispatchTime: msOf(r['ReadyForDispatchTime']),
    expiredTime: msOf(r['ExpiredTime']),
    lastPickupTime: msOf(r['LastPickupTime']),
    createdTime: msOf(r['CreatedTime']) ?? 0,
    lastUpdatedTime: msOf(r['LastUpdatedTime']) ?? 0,
    priority: num(r['Priority']),
    inputData,
  };
}

export function toWorker(r: Row): WorkerAgentRecord {
  return {
    workerAgentId: String(r['WorkerAgentId']).toLowerCase(),
    isEnabled: bool(r['IsEnabled']),
    displayName: strOrNull(r['DisplayName']),
    description: strOrNull(r['Description']),
    machineName: strOrNull(r['MachineName']),
    tags: strOrNull(r['Tags']),
    userAccount: strOrNull(r['UserAccount']),
    lastOnlineTime: msOf(r['LastOnlineTime']) ?? 0,
    certificateThumbprint: strOrNull(r['CertificateThumbprint']),
  };
}

/** A certificate thumbprint parameter: 40 hex digits (any case, optional spaces/colons), returned upper-case. */
export function thumbprintParam(value: unknown): string {
  const t = typeof value === 'string' ? value.replace(/[\s:]/g, '').toUpperCase() : '';
  if (!/^[0-9A-F]{40}$/.test(t)) throw new SsoError('SSO_ERR_TLS', `certificateThumbprint: expected 40 hex digits, got ${JSON.stringify(String(value)).slice(0, 60)}`, { where: 'worker_agents.CertificateThumbprint' });
  return t;
}

/** The refusal of a hello whose agent id and client certificate are not bound to each other. */
export function certificateMismatch(workerAgentId: string, thumbprint: string, why: string): SsoError {
  return new SsoError('SSO_ERR_TLS',
    `client certificate ${thumbprint} may not act as worker agent ${workerAgentId}: ${why} (a worker's certificate is bound to its agent id when it registers; to move an agent id to a new certificate, run catalog.delete_worker_agent and let it register again)`,
    { where: `worker_agents(${workerAgentId}).CertificateThumbprint` });
}
