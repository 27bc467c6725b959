/** Messages between the fuzz runner and its worker. */
export interface WorkerRequest {
  id: number;
  raw: ArrayBuffer;
}

export type WorkerOutcome =
  | { id: number; kind: 'verdict'; verdict: string; problems: string[]; ms: number }
  | { id: number; kind: 'quarantined'; code: string; detail: string; ms: number }
  | { id: number; kind: 'crash'; error: string; stack: string | null; ms: number };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** How one fuzz input ended, as the runner reports it. */
export type FuzzOutcome =
  | WithoutId<WorkerOutcome>
  /** No answer within the time bound: the worker was terminated. */
  | { kind: 'hang'; ms: number }
  /** The worker died (out of memory, native crash) while parsing it. */
  | { kind: 'worker-died'; error: string; ms: number };
