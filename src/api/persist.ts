/**
 * `--persist`: the IAM API's changes written back to the policies directory as the files a user would write
 * (`roles/<RoleName>.json`, `providers/<name>.json`, two-space JSON), atomically: each file is written whole under a
 * hidden temporary name beside it (which the loader and the watcher ignore), then renamed over the old one, so a
 * reader sees the old file or the new one, never a part. A deleted entity's file is removed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A file under the policies directory (`roles/x.json`) and its new document, or null to delete it. */
export interface FileChange {
  readonly file: string;
  readonly document: unknown;
}

/** The text a document is written as. */
export function documentText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Writes `text` to `path` through a temporary file and a rename. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, text, { flag: 'wx', mode: 0o644 });
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Applies the changes in order; a file already gone counts as deleted. */
export async function applyFileChanges(dir: string, changes: readonly FileChange[]): Promise<void> {
  for (const c of changes) {
    const path = join(dir, c.file);
    if (c.document === null) {
      await unlink(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    } else await writeAtomically(path, documentText(c.document));
  }
}
