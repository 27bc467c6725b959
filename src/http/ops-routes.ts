import type { DaemonMetrics } from '../metrics/daemon-metrics';
import { withConnections, type HealthReport } from './health';
import { jsonResponse, type RouteTable } from './route-table';

/**
 * GET /healthz (JSON, 200 or 503) and GET /metrics (Prometheus text). Neither reads a body; both
 * answer HEAD too.
 */
export function registerOpsRoutes(routes: RouteTable, deps: { health: () => Promise<HealthReport>; metrics: DaemonMetrics; startedAt: Date }): void {
  routes.add({
    method: 'GET',
    path: '/healthz',
    maxBodyBytes: 0,
    async handler() {
      // The probe reads the database; the IMAP and SMTP connections are what this instance observes now.
      const { httpStatus, ...report } = withConnections(await deps.health(), deps.metrics.connections());
      return jsonResponse(httpStatus, { ...report, uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000) });
    },
  });
  routes.add({
    method: 'GET',
    path: '/metrics',
    maxBodyBytes: 0,
    async handler() {
      return { status: 200, headers: { 'content-type': deps.metrics.contentType, 'cache-control': 'no-store' }, body: await deps.metrics.render() };
    },
  });
}
