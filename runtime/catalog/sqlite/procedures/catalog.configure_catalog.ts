/** `catalog.configure_catalog`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { ADMIN_ROLES, requireRole } from '../../rules/roles.ts';
import { CATALOG_PROPERTY_RULES } from '../../rules/catalog-properties.ts';
import { OperationType } from '../../../../actors/catalog-codes.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';

export function configureCatalog(db: ProcedureDb, caller: Principal, input: { propertyName: string; propertyValue: string }): void {
  requireRole(caller, ADMIN_ROLES);
  if (input?.propertyName === null || input?.propertyName === undefined) throw catalogError(27100, 'property_name');
  if (input.propertyValue === null || input.propertyValue === undefined) throw catalogError(27100, 'property_value');
  const name = String(input.propertyName).trim().toUpperCase();
  const rule = CATALOG_PROPERTY_RULES[name];
  const value = rule?.(String(input.propertyValue).trim());
  if (rule === undefined || value === undefined) throw catalogError(27409, String(input.propertyName), String(input.propertyValue));
  if (db.get('SELECT 1 FROM operations WHERE status IN (2, 5, 8) LIMIT 1') !== undefined) throw catalogError(27139);
  db.run('UPDATE catalog_properties SET property_value = ? WHERE property_name = ?', value, name);
  db.insertOperation(OperationType.configureCatalog, 7, caller, { type: null, id: null, name }, true);
}
