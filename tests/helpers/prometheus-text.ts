/**
 * Prometheus text exposition parsed with parse-prometheus-text-format (a real parser, not regexes),
 * with typed helpers to read one sample.
 */
import { createRequire } from 'node:module';

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly metrics: readonly { readonly value?: string; readonly labels?: Record<string, string>; readonly buckets?: Record<string, string>; readonly count?: string; readonly sum?: string }[];
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[];

export function parsePrometheus(text: string): Map<string, MetricFamily> {
  return new Map(parse(text).map((f) => [f.name, f]));
}

/** The value of `name` whose labels include `labels` (undefined when no such sample). */
export function sample(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.get(name);
  const m = f?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  if (m === undefined) return undefined;
  return Number(m.value ?? m.count);
}

/** A histogram's observation count (summed over label sets matching `labels`). */
export function histogramCount(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const f = families.get(name);
  return (f?.metrics ?? []).filter((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v)).reduce((n, m) => n + Number(m.count ?? 0), 0);
}
