/**
 * Evidence on the local disk (EVIDENCE_DIR). A blob is written to a temporary
 * file beside its final name and renamed into place, so a crash mid-write never
 * leaves a partial blob under a hash; a second writer of the same content just
 * renames identical bytes over identical bytes.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blobKey, type EvidenceStore } from './store';

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function createLocalStore(root: string): EvidenceStore {
  const pathOf = (sha256: string) => join(root, blobKey(sha256));
  return {
    kind: 'local',

    async put(sha256, bytes) {
      const target = pathOf(sha256);
      if ((await sizeOf(target)) === bytes.length) return;
      await mkdir(dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(6).toString('hex')}.part`;
      try {
        await writeFile(temporary, bytes, { flag: 'wx' });
        await rename(temporary, target);
      } catch (err) {
        await unlink(temporary).catch(() => undefined);
        throw err;
      }
    },

    async get(sha256) {
      const path = pathOf(sha256);
      const size = await sizeOf(path);
      if (size === undefined) return undefined;
      return { size, body: createReadStream(path) };
    },
  };
}
