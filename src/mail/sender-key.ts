/**
 * The sender of a raw message, read cheaply from its header (no MIME parse): the address inside <…>
 * of the first From line, or its whole value, lower-cased. Only used to keep one sender's messages in
 * order while messages of different senders are processed side by side; '' when there is none.
 */
export function senderKey(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? Math.min(raw.length, 64 * 1024) : end).toString('latin1');
  const m = /(?:^|\n)from:[ \t]*((?:[^\r\n]|\r?\n[ \t])*)/i.exec(head);
  if (!m) return '';
  const value = m[1]!.replace(/\r?\n[ \t]+/g, ' ');
  const angle = /<([^>]*)>/.exec(value);
  return (angle ? angle[1]! : value).trim().toLowerCase();
}
