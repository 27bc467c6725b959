/**
 * PostgreSQL's binary COPY format (https://www.postgresql.org/docs/15/sql-copy.html, "Binary Format"),
 * enough for the floor: bytea and bigint columns. postgres.js sends every bind parameter as text
 * (a Buffer becomes hex, twice its size); `COPY … FROM STDIN (FORMAT binary)` sends the bytes as
 * they are. Pure: the caller writes the result to the COPY stream.
 */

export type CopyValue = Buffer | bigint | null;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Header (signature, flags, extension length) + the given tuples + the trailer, as one Buffer. */
export function copyBinary(rows: readonly (readonly CopyValue[])[]): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header, 0);
  // flags 0 (no OIDs), header extension length 0: both already zero.
  parts.push(header);
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length, 0);
    parts.push(count);
    for (const value of row) {
      const len = Buffer.alloc(4);
      if (value === null) {
        len.writeInt32BE(-1, 0);
        parts.push(len);
      } else if (typeof value === 'bigint') {
        len.writeInt32BE(8, 0);
        const v = Buffer.alloc(8);
        v.writeBigInt64BE(value, 0);
        parts.push(len, v);
      } else {
        len.writeInt32BE(value.length, 0);
        parts.push(len, value);
      }
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  parts.push(trailer);
  return Buffer.concat(parts);
}
