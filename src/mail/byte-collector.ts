/**
 * Bytes that arrive in pieces, written into one buffer allocated at the size they are expected to
 * reach, instead of a list of pieces concatenated at the end (which holds them twice at that moment).
 * Pages of the buffer never written are never resident, so an expected size that is too large costs
 * address space, not memory; one that is too small only costs a copy (the buffer doubles).
 */
export class ByteCollector {
  private buf: Buffer;
  private length = 0;

  constructor(expectedSize: number) {
    this.buf = Buffer.allocUnsafe(Math.max(expectedSize, 0));
  }

  push(piece: Buffer): void {
    if (this.length + piece.length > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + piece.length));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    piece.copy(this.buf, this.length);
    this.length += piece.length;
  }

  /**
   * The bytes collected. Up to `copyBelow` bytes they are copied to a buffer of their own size (the
   * large allocation is then let go); above, the view keeps the allocation.
   */
  bytes(copyBelow = 0): Buffer {
    const view = this.buf.subarray(0, this.length);
    return this.length <= copyBelow ? Buffer.from(view) : view;
  }
}

/** A stream collected into one buffer (ByteCollector). */
export async function collectInto(content: AsyncIterable<Buffer>, expectedSize: number): Promise<Buffer> {
  const collector = new ByteCollector(expectedSize);
  for await (const piece of content) collector.push(piece);
  return collector.bytes();
}
