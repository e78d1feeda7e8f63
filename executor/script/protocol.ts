/**
 * The stdio protocol between the worker and `ScriptHost.exe` (object-model/Host.cs), typed.
 * Worker → host (stdin, one JSON document): the assembly, the entry point, the locked variables with
 * typed values, the connections. Host → worker (standard error, one JSON object per line): events as
 * they happen, then one `end` (result, variable writes, execution value) or one `exception`.
 * Values carry their DTS variable type code: DateTime as epoch milliseconds, Int64/UInt64/Decimal as
 * decimal strings, Object values as `{kind:'array'|'recordset'|'clr', …}`.
 */
import type { VarValue } from '../package/model.ts';
import { VarType, isRecordset } from '../package/model.ts';

export interface WireValue { readonly type: number; readonly value: unknown }

export interface WireVariable extends WireValue {
  readonly namespace: string;
  readonly name: string;
  readonly writable: boolean;
  readonly sensitive: boolean;
  /** Reachable only through Dts.VariableDispenser (named in a LockFor… call, not in the task's lists). */
  readonly dispenserOnly?: boolean;
}

export interface WireConnection {
  readonly name: string;
  readonly id: string;
  readonly creationName: string;
  readonly connectionString: string;
  readonly properties: Readonly<Record<string, string>>;
}

export interface HostRequest {
  readonly assembly: string;
  readonly entryPoint: string;
  readonly messageBox: 'fail' | 'information';
  readonly variables: readonly WireVariable[];
  readonly connections: readonly WireConnection[];
  /** The script's current directory (the task folder on a worker). */
  readonly cwd?: string;
}

export type HostMessage =
  | { readonly t: 'event'; readonly e: 'OnInformation' | 'OnWarning' | 'OnError' | 'OnProgress'; readonly code: number; readonly sub: string; readonly text: string }
  | { readonly t: 'custom'; readonly name: string; readonly sub: string; readonly text: string }
  | { readonly t: 'log'; readonly code: number; readonly text: string }
  | { readonly t: 'end'; readonly result: number; readonly writes: readonly (WireValue & { readonly name: string })[]; readonly executionValue?: WireValue }
  | { readonly t: 'exception'; readonly type: string; readonly message: string; readonly stack: string; readonly full: string };

/** A value of an Object variable that came from a script and has no JavaScript form (kept for the next script). */
export interface ClrValue { readonly kind: 'clr'; readonly typeName: string; readonly text: string }

/** Parses one line from the host; throws naming what is wrong. */
export function parseHostMessage(line: string): HostMessage {
  const m = JSON.parse(line) as { t?: unknown };
  if (typeof m !== 'object' || m === null || typeof m.t !== 'string' || !['event', 'custom', 'log', 'end', 'exception'].includes(m.t)) {
    throw new Error(`unexpected message from the script host: ${line.slice(0, 200)}`);
  }
  return m as HostMessage;
}

function inferType(v: unknown): number {
  if (typeof v === 'string') return VarType.string;
  if (typeof v === 'boolean') return VarType.boolean;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2 ** 31 ? VarType.int32 : VarType.double;
  if (typeof v === 'bigint') return VarType.int64;
  if (v instanceof Date) return VarType.dateTime;
  return VarType.object;
}

/** A run-time value → its wire form for a variable of `type`. */
export function toWire(type: number, v: VarValue | unknown): WireValue {
  if (v === null || v === undefined) return { type, value: null };
  switch (type) {
    case VarType.dateTime: return { type, value: v instanceof Date ? v.getTime() : new Date(String(v)).getTime() };
    case VarType.int64: case VarType.uint64: case VarType.decimal: case VarType.currency:
      return { type, value: typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? (Number.isInteger(v) || type >= VarType.decimal ? String(v) : String(Math.trunc(v))) : String(v) };
    case VarType.object: case VarType.empty: case VarType.null: {
      if (Array.isArray(v)) return { type: VarType.object, value: { kind: 'array', items: v.map((x) => toWire(inferType(x), x)) } };
      if (isRecordset(v)) return { type: VarType.object, value: { kind: 'recordset', columns: v.columns, rows: v.rows.map((r) => r.map((x) => toWire(inferType(x), x))) } };
      if (typeof v === 'object' && (v as { kind?: unknown }).kind === 'clr') return { type: VarType.object, value: v };
      if (typeof v !== 'object') { const t = inferType(v); return { type: t, value: toWire(t, v).value }; }
      return { type: VarType.object, value: { kind: 'clr', typeName: 'System.String', text: JSON.stringify(v) } };
    }
    default: return { type, value: v };
  }
}

/** A wire value from the host → a run-time value. */
export function fromWire(w: WireValue): VarValue {
  const v = w.value;
  if (v === null || v === undefined) return null;
  switch (w.type) {
    case VarType.dateTime: return new Date(Number(v));
    case VarType.int64: case VarType.uint64: {
      const b = BigInt(String(v));
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case VarType.decimal: case VarType.currency: return Number(v);
    case VarType.object: {
      const o = v as { kind?: string; items?: WireValue[]; columns?: string[]; rows?: WireValue[][] };
      if (o.kind === 'array') return (o.items ?? []).map(fromWire) as VarValue;
      if (o.kind === 'recordset') return { kind: 'recordset', columns: o.columns ?? [], rows: (o.rows ?? []).map((r) => r.map(fromWire)) };
      return o as ClrValue;
    }
    default: return v as VarValue;
  }
}
