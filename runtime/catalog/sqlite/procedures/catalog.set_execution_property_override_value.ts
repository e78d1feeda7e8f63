/** `catalog.set_execution_property_override_value`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';
import { num } from '../../catalog-rows.ts';

export function setExecutionPropertyOverrideValue(db: ProcedureDb, caller: Principal, input: { executionId: number; propertyPath: string; propertyValue: string; sensitive: boolean }): void {
  const exec = db.visibleExecution(caller, input?.executionId);
  if (input.propertyPath === null || input.propertyPath === undefined) throw catalogError(27100, 'property_path');
  if (typeof input.propertyPath !== 'string' || input.propertyPath.trim() === '') throw catalogError(27102, 'property_path');
  if (input.propertyPath.length > 4000) throw catalogError(27101, 'property_path');
  if (input.propertyValue === null || input.propertyValue === undefined) throw catalogError(27100, 'property_value');
  if (typeof input.propertyValue !== 'string') throw catalogError(27101, 'property_value');
  if (num(exec['status']) !== 1) throw catalogError(27224);
  const sensitive = input.sensitive === true;
  db.run(`INSERT INTO execution_property_override_values (execution_id, property_path, property_value, sensitive_property_value, sensitive)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT (execution_id, property_path) DO UPDATE SET property_value = excluded.property_value,
    sensitive_property_value = excluded.sensitive_property_value, sensitive = excluded.sensitive`,
  input.executionId, input.propertyPath, sensitive ? null : input.propertyValue, sensitive ? db.cipher.encrypt(input.propertyValue) : null, sensitive ? 1 : 0);
}
