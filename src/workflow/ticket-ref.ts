/**
 * Ticket references as the requester sees them: `LJ-261126-0042`
 * (prefix, day of creation YYMMDD in the configured time zone, sequence number).
 */
export function formatTicketRef(id: number, createdAt: Date, timeZone = 'Europe/Paris'): string {
  const parts = dayFormat(timeZone).formatToParts(createdAt);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `LJ-${get('year')}${get('month')}${get('day')}-${String(id).padStart(4, '0')}`;
}

const formats = new Map<string, Intl.DateTimeFormat>();
/** Making a DateTimeFormat costs more than using one: one per time zone. */
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, year: '2-digit', month: '2-digit', day: '2-digit' });
    formats.set(timeZone, f);
  }
  return f;
}
