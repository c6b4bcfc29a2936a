// DynamoDB Local runs on the JVM; fail early, with an actionable message, when Java is missing or too old.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const MIN_MAJOR = 17;
const INSTALL_HINT =
  `morless needs Java ${MIN_MAJOR}+ for DynamoDB Local: install a JDK, e.g. \`apt-get install openjdk-17-jre-headless\``;

/** Major version parsed from `java -version` output: `"17.0.15"` → 17, legacy `"1.8.0_292"` → 8. */
export function parseJavaMajor(output) {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** The installed Java's major version, or undefined when `java` cannot be run. */
export function javaMajorVersion() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return parseJavaMajor(`${result.stderr}${result.stdout}`);
}

/** Exits the process with status 1 unless Java 17+ is available. */
export function requireJava() {
  const major = javaMajorVersion();
  if (major !== undefined && major >= MIN_MAJOR) return major;
  const found = major === undefined ? 'no working `java` on PATH' : `found Java ${major}`;
  console.error(`${INSTALL_HINT} (${found}).`);
  process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) requireJava();
