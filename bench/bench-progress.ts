/** Progress lines on stderr, so stdout keeps only the table and the JSON line. */
export function progress(line: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[bench ${t}] ${line}\n`);
}
