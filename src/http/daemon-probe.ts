import type { Config } from '../config';
import type { HealthReport } from './health';
import { parsePrometheusText, type Sample } from '../metrics/prometheus-text';

export type DaemonHealth = Omit<HealthReport, 'httpStatus'> & { uptimeSeconds?: number };

export type DaemonProbe =
  | { kind: 'disabled'; why: string }
  | { kind: 'unreachable'; url: string; error: string }
  | { kind: 'answered'; url: string; httpStatus: number; health: DaemonHealth; metrics: Sample[] };

/** The daemon's base URL from the configuration, or why there is none to ask. */
export function daemonUrl(config: Pick<Config, 'HTTP_HOST' | 'HTTP_PORT'>): { url: string } | { why: string } {
  if (config.HTTP_PORT === null) return { why: 'HTTP_PORT=off' };
  if (config.HTTP_PORT === 0) return { why: 'HTTP_PORT=0 (port chosen at start)' };
  const host = ['0.0.0.0', '::', '[::]'].includes(config.HTTP_HOST) ? '127.0.0.1' : config.HTTP_HOST;
  return { url: `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${config.HTTP_PORT}` };
}

/** Ask a running daemon for /healthz and /metrics, giving up quickly when nothing answers. */
export async function probeDaemon(config: Pick<Config, 'HTTP_HOST' | 'HTTP_PORT'>, timeoutMs = 2_000): Promise<DaemonProbe> {
  const base = daemonUrl(config);
  if ('why' in base) return { kind: 'disabled', why: base.why };
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    const healthRes = await fetch(`${base.url}/healthz`, { signal });
    const health = (await healthRes.json()) as DaemonHealth;
    const metricsRes = await fetch(`${base.url}/metrics`, { signal });
    const metrics = metricsRes.ok ? parsePrometheusText(await metricsRes.text()) : [];
    return { kind: 'answered', url: base.url, httpStatus: healthRes.status, health, metrics };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { kind: 'unreachable', url: base.url, error: e.cause?.code ?? e.name ?? e.message };
  }
}
