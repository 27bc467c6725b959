import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { safeNext } from '../../src/console/auth-routes';
import { clientView, invalidProxyEntries, trustedProxies } from '../../src/console/client-address';
import { cookieHeader, readCookie } from '../../src/console/cookies';
import { csvDocument, csvField } from '../../src/console/csv';
import { duration, withoutApprovalTokens } from '../../src/console/format';
import { escapeHtml, html } from '../../src/console/html';
import { searchQuery } from '../../src/console/list-pages';
import { loginThrottled, needsTouch, sessionState } from '../../src/console/session-rules';
import { buckets, calendarDay, decisionTimesByDecider, quantile, startOfDay } from '../../src/console/statistics';
import { staticFile } from '../../src/console/static-files';
import { createRouteTable, jsonResponse } from '../../src/http/route-table';

describe('html: every interpolated value is escaped', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
    ["' onmouseover='x", '&#39; onmouseover=&#39;x'],
    ['a & b `c`', 'a &amp; b &#96;c&#96;'],
  ])('%s', (input, escaped) => {
    expect(escapeHtml(input)).toBe(escaped);
    expect(html`<td title="${input}">${input}</td>`.text).toBe(`<td title="${escaped}">${escaped}</td>`);
  });

  it('inserts fragments as markup, lists joined, and nothing for null, undefined and false', () => {
    const items = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>0');
  });

  it('does not take a look-alike object for a fragment', () => {
    const lookAlike = JSON.parse('{"text":"<b>"}');
    expect(html`${lookAlike}`.text).not.toContain('<b>');
  });
});

describe('client address and protocol behind reverse proxies', () => {
  const proxies = trustedProxies('127.0.0.1, 10.0.0.0/8 ::1');
  it.each([
    ['a direct client: forwarded headers ignored', '203.0.113.9', { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https' }, { ip: '203.0.113.9', https: false }],
    ['a trusted proxy: the client it names, and TLS', '127.0.0.1', { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https' }, { ip: '198.51.100.7', https: true }],
    ['a chain: the first untrusted address from the right', '::ffff:10.1.2.3', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.5' }, { ip: '198.51.100.7', https: false }],
    ['a proxy with no header', '::1', {}, { ip: '::1', https: false }],
    ['garbage in the header stops the walk', '127.0.0.1', { 'x-forwarded-for': 'evil, 198.51.100.7' }, { ip: '198.51.100.7', https: false }],
    ['the nearest proxy says http', '127.0.0.1', { 'x-forwarded-proto': 'https, http' }, { ip: '127.0.0.1', https: false }],
  ])('%s', (_name, remote, headers, expected) => {
    expect(clientView(remote, headers, proxies)).toEqual(expected);
  });

  it('trusts nobody by default', () => {
    expect(clientView('127.0.0.1', { 'x-forwarded-for': '1.2.3.4' }, trustedProxies(undefined))).toEqual({ ip: '127.0.0.1', https: false });
  });

  it('refuses a configuration entry that is not an address or a block', () => {
    expect(invalidProxyEntries('127.0.0.1, 10.0.0.0/8, fd00::/8, proxy.local, 10.0.0.0/33')).toEqual(['proxy.local', '10.0.0.0/33']);
    expect(() => loadConfig({ CONSOLE_TRUSTED_PROXIES: 'proxy.local' })).toThrow(/CONSOLE_TRUSTED_PROXIES must list IP addresses or CIDR blocks/);
    expect(() => loadConfig({ CONSOLE_PATH: '/console/' })).toThrow(/CONSOLE_PATH/);
    expect(loadConfig({}).CONSOLE_ENABLED).toBe(true);
    expect(loadConfig({ CONSOLE_ENABLED: 'false' }).CONSOLE_ENABLED).toBe(false);
  });
});

describe('sessions and logins', () => {
  const t0 = new Date('2026-12-06T08:00:00Z');
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
  const session = { createdAt: t0, lastSeenAt: at(10), expiresAt: at(12 * 60) };
  it.each([
    [11, 'valid'], [39, 'valid'], [40, 'idle'], [12 * 60, 'expired'], [13 * 60, 'expired'],
  ] as const)('at +%i min: %s', (minutes, state) => {
    expect(sessionState(session, at(minutes), 30 * 60_000)).toBe(state);
  });

  it('refreshes last_seen_at at most once a minute', () => {
    expect(needsTouch(session, at(10.5))).toBe(false);
    expect(needsTouch(session, at(11))).toBe(true);
  });

  it.each([
    [{ account: 4, ip: 29 }, null], [{ account: 5, ip: 0 }, 'account'], [{ account: 0, ip: 30 }, 'ip'],
  ] as const)('throttles %o → %s', (failures, by) => {
    expect(loginThrottled(failures, { perAccount: 5, perIp: 30 })).toBe(by);
  });

  it('goes back only to a console path after login', () => {
    expect(safeNext('/console', '/console/tickets/LJ-1?x=1')).toBe('/console/tickets/LJ-1?x=1');
    for (const bad of ['https://evil.example/', '//evil.example/console', '/console//evil', '/consolex', '/console\\evil', undefined, '']) {
      expect(safeNext('/console', bad)).toBe('/console/');
    }
  });

  it('writes HttpOnly, SameSite=Lax cookies, Secure when asked, and reads only token-shaped values', () => {
    expect(cookieHeader('s', 'abcdefghijklmnop', { path: '/console', secure: true })).toBe('s=abcdefghijklmnop; Path=/console; HttpOnly; SameSite=Lax; Secure');
    expect(cookieHeader('s', 'abcdefghijklmnop', { path: '/c', secure: false, maxAge: 0 })).toBe('s=abcdefghijklmnop; Path=/c; HttpOnly; SameSite=Lax; Max-Age=0');
    expect(readCookie('a=1; s=abcdefghijklmnop_-XY', 's')).toBe('abcdefghijklmnop_-XY');
    expect(readCookie('s="><script>"', 's')).toBeNull();
    expect(readCookie(undefined, 's')).toBeNull();
  });
});

describe('CSV export', () => {
  it.each([
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ['+33 1 23', `"'+33 1 23"`],
    ['-1', `"'-1"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['a;b\r\nc', '"a;b\r\nc"'],
    [null, '""'],
  ])('%s', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('is ;-separated, with a BOM and CRLF rows', () => {
    expect(csvDocument(['a', 'b'], [[1, 'x']])).toBe('\uFEFF"a";"b"\r\n"1";"x"\r\n');
  });
});

describe('statistics', () => {
  it('computes quantiles by interpolation', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([5], 0.9)).toBe(5);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0.9)).toBeCloseTo(9.1);
  });

  it('groups decision times by decider, the busiest first', () => {
    const r = decisionTimesByDecider([{ decidedBy: 'b', ms: 10 }, { decidedBy: 'a', ms: 20 }, { decidedBy: 'a', ms: 40 }]);
    expect(r.overall).toEqual({ count: 3, medianMs: 20, p90Ms: 36 });
    expect(r.byDecider.map((d) => [d.decidedBy, d.count, d.medianMs])).toEqual([['a', 2, 30], ['b', 1, 10]]);
  });

  it('lists every week (from Monday) and month of a period', () => {
    expect(buckets('week', '2026-11-04', '2026-11-24')).toEqual(['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']);
    expect(buckets('month', '2026-11-15', '2027-01-02')).toEqual(['2026-11-01', '2026-12-01', '2027-01-01']);
  });

  it('reads calendar days and finds their start in the time zone', () => {
    expect(calendarDay('2026-02-30')).toBeNull();
    expect(calendarDay('x')).toBeNull();
    expect(calendarDay('2026-12-06')).toBe('2026-12-06');
    expect(startOfDay('2026-12-06', 'Europe/Paris').toISOString()).toBe('2026-12-05T23:00:00.000Z');
    expect(startOfDay('2026-07-01', 'Europe/Paris').toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(startOfDay('2026-03-29', 'Europe/Paris').toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  it('says durations as people do', () => {
    expect([duration(45 * 60_000), duration(192 * 60_000), duration(52 * 3_600_000)]).toEqual(['45 min', '3 h 12 min', '2 j 4 h']);
  });
});

describe('the rest', () => {
  it('masks approval tokens in mails shown again', () => {
    expect(withoutApprovalTokens('VALIDER ljv-0123456789abcdef0123456789abcdef')).toBe('VALIDER ljv-[masqué]');
  });

  it.each([
    ['LJ-261206-0042', { ref: 'LJ-261206-0042' }],
    ['lj-261206-0042', { ref: 'LJ-261206-0042' }],
    ['732 829 320', { siretPrefix: '732829320' }],
    ['732 829 320 00074', { siretPrefix: '73282932000074' }],
    ['etude@moutin', { address: 'etude@moutin' }],
    ['ab', {}],
  ])('search %s', (q, expected) => {
    expect(searchQuery(q)).toEqual(expected);
  });

  it('serves only files of the listed kinds under the design system folder', () => {
    const root = '/srv/dsfr';
    expect(staticFile(root, 'dsfr.min.css')).toEqual({ file: '/srv/dsfr/dsfr.min.css', type: 'text/css; charset=utf-8' });
    expect(staticFile(root, 'utility/icons/icons.min.css')?.file).toBe('/srv/dsfr/utility/icons/icons.min.css');
    for (const bad of ['../package.json', '%2e%2e/package.json', 'a/../../x.css', '.hidden.css', 'dsfr.css.map', 'x.html', '%00.css', '%E0%A4%A']) {
      expect(staticFile(root, bad), bad).toBeNull();
    }
  });

  it('mounts a subtree on the route table: exact routes first, then the mount, never a prefix of a word', () => {
    const ok = () => jsonResponse(200, {});
    const table = createRouteTable([{ method: 'GET', path: '/healthz', handler: ok }]);
    table.mount({ prefix: '/console', handler: ok });
    expect(table.match('GET', '/healthz').kind).toBe('found');
    expect(table.match('POST', '/console').kind).toBe('mounted');
    expect(table.match('DELETE', '/console/tickets/x').kind).toBe('mounted');
    expect(table.match('GET', '/consoles').kind).toBe('not-found');
    expect(() => table.mount({ prefix: '/console/admin', handler: ok })).toThrow(/overlaps/);
    expect(() => table.mount({ prefix: '/x/', handler: ok })).toThrow(/must start/);
  });
});
