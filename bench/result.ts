import type { EngineName } from './options';
import { median } from './stats';

/** One figure of the report: the median over runs, beside its baseline from the same runs. */
export interface Figure {
  benchmark: string;
  engine: EngineName;
  measure: string;
  unit: 'ms' | '/s' | 'MB' | 's';
  value: number;
  runs: number[];
  baseline?: { label: string; value: number; runs: number[] };
  /** value ÷ baseline. */
  ratio?: number;
  target?: string;
  /** Undefined when the figure has no target. */
  met?: boolean;
  note?: string;
}

/** An EXPLAIN (ANALYZE, BUFFERS) of one query a benchmark ran. */
export interface Plan {
  engine: EngineName;
  benchmark: string;
  /** A short label: the query's first line. */
  label: string;
  sql: string;
  /** The query's time in the traced run, ms. */
  ms: number;
  plan: string;
}

/** What a benchmark hands back. */
export interface BenchOutput {
  figures: Figure[];
  plans?: Plan[];
  details?: Record<string, unknown>;
}

/** Builds a figure from per-run values (and per-run baselines), taking medians. */
export function figure(
  base: Omit<Figure, 'value' | 'runs' | 'baseline' | 'ratio' | 'met'>,
  runs: number[],
  baseline?: { label: string; runs: number[] },
  met?: (value: number, baseline: number | undefined) => boolean,
): Figure {
  const value = median(runs);
  const b = baseline ? { label: baseline.label, value: median(baseline.runs), runs: baseline.runs } : undefined;
  const result: Figure = { ...base, value, runs };
  if (b) {
    result.baseline = b;
    result.ratio = value / b.value;
  }
  if (met) result.met = met(value, b?.value);
  return result;
}
