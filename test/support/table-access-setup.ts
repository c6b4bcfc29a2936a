/**
 * vitest globalSetup of the integration tier: reads, once per run, which IAM actions each function's bundle
 * needs (infra/table-access.cjs, the same analysis that shapes the deployed roles) and hands the map to
 * the test workers (test/support/table-access-guard.ts).
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import type { TableAccessMap } from './table-access-guard.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

interface Manifest {
  methods: { method: string; file: string }[];
  rest: { file: string; routes: { method: string; path: string }[] }[];
}

export default async function setup(project: TestProject) {
  const { scan } = require(join(ROOT, 'infra/functions.cjs')) as { scan: () => Manifest };
  const { analyse } = require(join(ROOT, 'infra/table-access.cjs')) as {
    analyse: (files: string[], root: string) => Promise<Map<string, string[]>>;
  };
  const manifest = scan();
  const needs = await analyse([...manifest.methods, ...manifest.rest].map((entry) => entry.file), ROOT);
  const map: TableAccessMap = {};
  for (const { method, file } of manifest.methods) map[method] = needs.get(file)!;
  for (const { file, routes } of manifest.rest) for (const route of routes) map[`${route.method} ${route.path}`] = needs.get(file)!;
  project.provide('tableAccess', map);
}

declare module 'vitest' {
  export interface ProvidedContext {
    tableAccess: TableAccessMap;
  }
}
