/**
 * `internal.append_execution_component_phases_for_worker` on the embedded catalog (table
 * `execution_component_phases`, SQLite migration 5): rows of `catalog.execution_component_phases`,
 * each idempotent by its phase GUID (a replayed batch is applied once). The caller's role is checked by
 * the store; rows must belong to an execution (27103) and carry finite times (27101).
 */
import { catalogError } from '../../actors/catalog-errors.ts';
import type { ComponentPhaseInput } from '../../actors/ports.ts';
import type { DataTapDb } from './data-taps.ts';

export function appendComponentPhases(db: Pick<DataTapDb, 'get' | 'run'>, phases: readonly ComponentPhaseInput[], iso: (ms: number) => string, guidParam: (name: string, v: unknown) => string): void {
  if (!Array.isArray(phases)) throw catalogError(27100, 'phases');
  for (const p of phases) {
    const guid = guidParam('phase_guid', p?.phaseGuid);
    if (db.get('SELECT 1 FROM execution_component_phases WHERE phase_guid = ?', guid) !== undefined) continue;
    if (db.get('SELECT 1 FROM operations WHERE operation_id = ? AND operation_type = 200', p.operationId) === undefined) throw catalogError(27103, p.operationId);
    if (![p.startTime, p.endTime].every((t) => typeof t === 'number' && Number.isFinite(t))) throw catalogError(27101, 'start_time');
    if (typeof p.phase !== 'string' || p.phase === '' || p.phase.length > 128) throw catalogError(27101, 'phase');
    db.run(`INSERT INTO execution_component_phases (execution_id, package_name, task_name, subcomponent_name, phase, start_time, end_time, execution_path, phase_guid)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.operationId, p.packageName, p.taskName, p.subcomponentName, p.phase, iso(p.startTime), iso(p.endTime), p.executionPath, guid);
  }
}
