/**
 * CSV for spreadsheets (the audit export): `;`-separated as French Excel expects, UTF-8 with a BOM,
 * CRLF rows, every field quoted. A field that a spreadsheet would run as a formula (starting with
 * = + - @, a tab or a carriage return: "CSV injection") is prefixed with an apostrophe, so a requester's
 * name or a refusal reason stays text.
 */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvDocument(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const line = (cells: readonly (string | number | null | undefined)[]) => cells.map(csvField).join(';');
  return `\uFEFF${[line(header), ...rows.map(line)].join('\r\n')}\r\n`;
}
