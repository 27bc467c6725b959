import type { Context, Hono } from 'hono';
import { decisionsIn, firstVerdicts, problemsFound, recordAudit, requestsPer, type Period } from '../db/console-queries';
import { barChart } from './charts';
import type { ConsoleDeps, ConsoleEnv } from './console-deps';
import { csvDocument } from './csv';
import { duration, oneLine, SHOWN } from './format';
import { html, type Html } from './html';
import { alert } from './layout';
import { pageResponse } from './responses';
import { buckets, calendarDay, decisionTimesByDecider, nextDay, startOfDay, type DecisionTimes } from './statistics';

/** Statistics (admins): requests per week and month, conformity, problems, time to decision; and the CSV export of decisions. */

const DEFAULT_DAYS = 84;
const MAX_DAYS = 3 * 366;

/** Today in the service's time zone (YYYY-MM-DD). */
function today(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function daysBefore(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

/** The period of the query string (`from`, `to`: days, both included), bounded; defaults to the last 12 weeks. */
function periodOf(c: Context<ConsoleEnv>, deps: ConsoleDeps): { from: string; to: string; period: Period; error: string | null } {
  const tz = deps.config.TIMEZONE;
  const last = today(deps.now(), tz);
  let to = calendarDay(c.req.query('to')) ?? last;
  let from = calendarDay(c.req.query('from')) ?? daysBefore(to, DEFAULT_DAYS - 1);
  let error: string | null = null;
  if (from > to) {
    error = 'La date de début suit la date de fin : les dates ont été échangées.';
    [from, to] = [to, from];
  }
  if (daysBefore(to, MAX_DAYS) > from) {
    error = `La période est limitée à ${MAX_DAYS} jours.`;
    from = daysBefore(to, MAX_DAYS);
  }
  return { from, to, period: { from: startOfDay(from, tz), to: startOfDay(nextDay(to), tz) }, error };
}

const PROBLEM_LABELS: Record<string, string> = {
  SIRET_MISSING: 'SIRET absent', SIRET_INVALID: 'SIRET invalide', SIRET_MULTIPLE: 'plusieurs SIRET',
  LIQUIDATOR_EMAIL_MISSING: 'adresse du liquidateur absente', LIQUIDATOR_EMAIL_INVALID: 'adresse du liquidateur invalide',
  ATTACHMENT_MISSING: 'document absent', ATTACHMENT_INVALID: 'document invalide',
};

function timesCell(t: DecisionTimes): Html {
  return html`<td>${t.count}</td><td>${t.medianMs === null ? '—' : duration(t.medianMs)}</td><td>${t.p90Ms === null ? '—' : duration(t.p90Ms)}</td>`;
}

export function registerStatsPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { base } = deps;
  const db = deps.database.db;
  const tz = deps.config.TIMEZONE;

  app.get('/admin/stats', async (c) => {
    const { from, to, period, error } = periodOf(c, deps);
    const [weeks, months, verdicts, problems, decisions] = await Promise.all([
      requestsPer(db, 'week', period, tz), requestsPer(db, 'month', period, tz), firstVerdicts(db, period), problemsFound(db, period), decisionsIn(db, period),
    ]);
    const series = (unit: 'week' | 'month', found: { bucket: string; n: number }[]) => buckets(unit, from, nextDay(to)).map((b) => ({
      label: unit === 'week' ? `${b.slice(8, 10)}/${b.slice(5, 7)}` : `${b.slice(5, 7)}/${b.slice(0, 4)}`,
      value: found.find((f) => f.bucket === b)?.n ?? 0,
    }));
    const checked = verdicts.conforme + verdicts.nonConforme;
    const times = decisionTimesByDecider(decisions.map((d) => ({
      decidedBy: d.decidedBy, ms: Math.max(0, d.decidedAt.getTime() - (d.awaitingSince ?? d.createdAt).getTime()),
    })));
    const weekly = series('week', weeks);
    const monthly = series('month', months);
    const query = `from=${from}&to=${to}`;
    const body = html`<h1>Statistiques</h1>
<form method="get" action="${base}/admin/stats" class="fr-mb-4w"><fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Période</legend>
<div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-input-group"><label class="fr-label" for="from">Du</label><input class="fr-input" type="date" id="from" name="from" value="${from}"></div></div>
<div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-input-group"><label class="fr-label" for="to">Au (inclus)</label><input class="fr-input" type="date" id="to" name="to" value="${to}"></div></div>
<div class="fr-fieldset__element fr-fieldset__element--inline"><button class="fr-btn" type="submit">Afficher</button></div></fieldset></form>
${error ? alert('warning', error) : ''}
<p><a class="fr-link fr-icon-download-line fr-link--icon-left" href="${base}/admin/export.csv?${query}" download>Exporter les décisions de la période (CSV)</a></p>
<h2>Demandes reçues par semaine</h2>
${barChart({ title: 'Demandes reçues par semaine', bars: weekly })}
<h2>Demandes reçues par mois</h2>
${barChart({ title: 'Demandes reçues par mois', bars: monthly })}
<h2>Conformité</h2>
<p id="conformite">${checked === 0 ? 'Aucune demande vérifiée sur la période.'
      : `${Math.round((100 * verdicts.conforme) / checked)} % des demandes étaient conformes dès le premier envoi (${verdicts.conforme} sur ${checked}).`}</p>
<h2>Problèmes trouvés</h2>
${problems.length === 0 ? html`<p>Aucun problème trouvé sur la période.</p>` : html`${barChart({ title: 'Problèmes trouvés par type', bars: problems.map((p) => ({ label: PROBLEM_LABELS[p.code] ?? p.code, value: p.n, alt: true })) })}
<div class="fr-table fr-table--no-caption"><table><caption>Problèmes trouvés</caption><thead><tr><th scope="col">Problème</th><th scope="col">Vérifications</th></tr></thead>
<tbody>${problems.map((p) => html`<tr><td>${PROBLEM_LABELS[p.code] ?? p.code}</td><td>${p.n}</td></tr>`)}</tbody></table></div>`}
<h2>Délai de décision</h2>
<p class="fr-text--sm">De l’arrivée de la demande devant les agents à la décision, pour les décisions prises sur la période.</p>
<div class="fr-table fr-table--no-caption" id="delais"><table><caption>Délai de décision</caption><thead><tr><th scope="col">Qui</th><th scope="col">Décisions</th><th scope="col">Médiane</th><th scope="col">90 % en moins de</th></tr></thead>
<tbody><tr><td><strong>Ensemble</strong></td>${timesCell(times.overall)}</tr>
${times.byDecider.map((t) => html`<tr><td>${oneLine(t.decidedBy, SHOWN.address)}</td>${timesCell(t)}</tr>`)}</tbody></table></div>`;
    return pageResponse({ base, title: 'Statistiques', body, viewer: c.get('auth').viewer, current: 'stats' });
  });

  app.get('/admin/export.csv', async (c) => {
    const auth = c.get('auth');
    const { from, to, period } = periodOf(c, deps);
    const decisions = await decisionsIn(db, period);
    await recordAudit(db, { at: deps.now(), actor: auth.actor, action: 'decisions_exported', target: `${from}..${to}`, ip: c.get('client').ip, detail: { rows: decisions.length } });
    const csv = csvDocument(
      ['reference', 'siret', 'decision', 'decide_par', 'via', 'decide_le', 'devant_les_agents_depuis', 'recue_le', 'demandeur', 'liquidateur', 'motif_du_refus'],
      decisions.map((d) => [
        d.ref, d.siret, d.decision === 'approved' ? 'validee' : 'refusee', d.decidedBy, d.via, d.decidedAt.toISOString(), d.awaitingSince?.toISOString() ?? '',
        d.createdAt.toISOString(), d.requesterEmail, d.liquidatorEmail, d.refusalReason,
      ]),
    );
    return new Response(csv, {
      headers: {
        'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="decisions-${from}-${to}.csv"`, 'cache-control': 'no-store',
      },
    });
  });
}
