/** `catalog.stop_operation`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { OperationType } from '../../../../actors/catalog-codes.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';
import { mayModifyOperation } from '../object-permissions.ts';
import { strOrNull } from '../../catalog-rows.ts';

export function stopOperation(db: ProcedureDb, caller: Principal, input: { operationId: number }): { stopOperationId: number } {
  const id = input?.operationId;
  if (id === null || id === undefined) throw catalogError(27100, 'operation_id');
  if (typeof id !== 'number' || !Number.isInteger(id)) throw catalogError(27101, 'operation_id');
  const op = db.get<{ operation_type: number; status: number; caller_name: string; object_id: number | null }>('SELECT operation_type, status, caller_name, object_id FROM operations WHERE operation_id = ?', id);
  if (op === undefined || ![200, 300, 301].includes(op.operation_type)) throw catalogError(27124);
  if (!mayModifyOperation(db, caller, id, op.caller_name)) throw catalogError(27143, id);
  if (op.status === 8) throw catalogError(27126);
  const jobId = op.operation_type === 200 ? strOrNull(db.get<{ job_id: string | null }>('SELECT job_id FROM executions WHERE execution_id = ?', id)?.job_id) : null;
  // We also stop a pending (5) Scale Out execution, which the original cannot (reference §1.6, §5 #11).
  if (op.status !== 2 && !(op.status === 5 && jobId !== null)) throw catalogError(27124);
  if (jobId === null) throw catalogError(27125);
  const stopId = db.insertOperation(OperationType.stopOperation, 2, caller, { type: 20, id: op.object_id, name: null }, true);
  db.cancelJob(jobId, stopId);
  const leased = db.get('SELECT 1 FROM tasks WHERE JobId = ? AND Status IN (2, 3)', jobId) !== undefined;
  if (leased) {
    db.run('UPDATE operations SET status = 8 WHERE operation_id = ?', id);
  } else {
    // Nothing runs anywhere (queued, or waiting for a retry): the stop completes at once.
    db.completeCancel(id, stopId);
  }
  return { stopOperationId: stopId };
}
