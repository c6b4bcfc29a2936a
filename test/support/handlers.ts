/** Every method handler of the project, found from the files under functions/ (the same declarations the routes come from). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MorHandler } from '../../lib/pipeline/define-method.js';

const root = fileURLToPath(new URL('../../functions/', import.meta.url));

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Files that declare a legacy XML method (`defineMethod(`). */
export const methodFiles = () =>
  [...sourceFiles(root)].filter((path) => readFileSync(path, 'utf8').includes('defineMethod(')).sort();

export async function loadMethodHandlers(): Promise<{ file: string; handler: MorHandler }[]> {
  const out = [];
  for (const file of methodFiles()) {
    const module = (await import(pathToFileURL(file).href)) as { handler: MorHandler };
    out.push({ file: relative(root, file), handler: module.handler });
  }
  return out;
}
