/**
 * catalog.execution_data_statistics rows come from the worker's OnPipelineRowsSent events; both
 * catalog stores parse the event text here when they append it.
 */
/**
 * SSIS's OnPipelineRowsSent text: `Rows were provided to a data flow component as input. :  : <path id> :
 * <path name> : <source id> : <source> : <destination id> : <destination> : <input id> : <input> : <rows>`.
 */
export function parseRowsSent(text: string): { pathId: string; pathName: string; source: string; destination: string; rows: number } | undefined {
  const parts = text.split(' : ');
  if (parts.length < 11) return undefined;
  const rows = Number(parts[parts.length - 1]);
  if (!Number.isInteger(rows) || rows < 0) return undefined;
  return { pathId: parts[2]!.trim(), pathName: parts[3]!.trim(), source: parts[5]!.trim(), destination: parts[7]!.trim(), rows };
}
