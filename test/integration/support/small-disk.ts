import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small file system of its own (a tmpfs of `sizeMiB`, mounted by root) to fill up: disk-full tests.
 * `fill()` takes all the space left with a filler file, `free()` removes it. Always `unmount()` (in afterAll):
 * it also removes the mount point.
 */
export interface SmallDisk {
  readonly path: string;
  /** Bytes free now. */
  available(): number;
  /** Take every free byte (the filler file grows until ENOSPC). Returns the filler's size. */
  fill(): number;
  /** Take the free space but `bytes` (the filler grows to leave that much). Returns the filler's size. */
  fillLeaving(bytes: number): number;
  /** Remove the filler. */
  free(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeMiB: number): SmallDisk {
  const path = mkdtempSync(join(tmpdir(), 'liquibot-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0755`, 'tmpfs', path]);
  const filler = join(path, 'filler');
  let mounted = true;
  const available = () => {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  };
  return {
    path,
    available,
    fill() {
      mkdirSync(path, { recursive: true });
      let size = 0;
      // Chunks of 1 MiB, then of a page: the last pages too.
      for (const chunk of [1024 * 1024, 4096]) {
        for (;;) {
          try {
            writeFileSync(filler, Buffer.alloc(chunk), { flag: 'a' });
            size += chunk;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
            break;
          }
        }
      }
      return size;
    },
    fillLeaving(bytes) {
      const size = Math.max(0, available() - bytes);
      writeFileSync(filler, Buffer.alloc(size), { flag: 'a' });
      return size;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      if (!mounted) return;
      // A process still holding a file there (a server that did not stop) must not keep it mounted: lazy.
      execFileSync('umount', ['-l', path]);
      mounted = false;
      rmSync(path, { recursive: true, force: true });
    },
  };
}
