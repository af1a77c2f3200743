/**
 * The reference Fastly VCL linter, falco (github.com/ysugimoto/falco), as a second opinion
 * next to the project's own checker (constructs/fastly/vcl-check.ts), in the pull request
 * workflow:
 *
 * - `falco url`: the release binary to download, from the pin `.github/falco.sha256`
 *   (`<sha256>  falco-<version>-linux-amd64`); refuses a missing or malformed pin.
 * - `falco verify FILE`: refuses a download whose SHA-256 is not the pinned one.
 * - `falco export --out DIR`: writes what each stack uploads to Fastly, from cdktf.out:
 *   `DIR/<stack>/<service>/<file>.vcl` (main.vcl and its includes, an account's overrides
 *   applied) and `DIR/<stack>/<service>/snippets/<name>.vcl`, each headed by the
 *   `# @scope: <type>` falco needs to lint a snippet (falco docs/linter.md, "VCL Snippets").
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStacks } from './affected-stacks';

export const FALCO_PIN_FILE = '.github/falco.sha256';
const PIN = /^([0-9a-f]{64}) {2}falco-(v\d+\.\d+\.\d+)-linux-amd64$/;

export interface FalcoPin {
  readonly version: string;
  readonly sha256: string;
  readonly url: string;
}

/** Reads the pin: exactly one line `<64 lower-case hex>  falco-<vX.Y.Z>-linux-amd64`, besides `#` comments. */
export function parseFalcoPin(text: string, file = FALCO_PIN_FILE): FalcoPin {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const expected = 'one line "<sha256: 64 lower-case hex digits>  falco-<vX.Y.Z>-linux-amd64" (sha256sum of the release asset falco-linux-amd64)';
  if (lines.length !== 1) throw new Error(`${file}: got ${lines.length} checksum lines, expected ${expected}`);
  const m = PIN.exec(lines[0]);
  if (!m) throw new Error(`${file}: got ${JSON.stringify(lines[0])}, expected ${expected}`);
  return { sha256: m[1], version: m[2], url: `https://github.com/ysugimoto/falco/releases/download/${m[2]}/falco-linux-amd64` };
}

/** Throws unless the file's SHA-256 is the pinned one. */
export function verifyFalco(binary: string, pin: FalcoPin): void {
  const actual = createHash('sha256').update(readFileSync(binary)).digest('hex');
  if (actual !== pin.sha256) throw new Error(`${binary}: SHA-256 ${actual} is not the pinned ${pin.sha256} of falco ${pin.version} (${FALCO_PIN_FILE}); refusing to run it`);
}

interface ServiceJson {
  readonly name: string;
  readonly vcl?: { name: string; content: string; main?: boolean }[];
  readonly snippet?: { name: string; type: string; content: string }[];
}

/** Writes each stack's Fastly VCL and snippets under `out`; returns the main files written. */
export function exportVcl(cdktfOut: string, out: string): string[] {
  const mains: string[] = [];
  for (const [stack, json] of readStacks(cdktfOut)) {
    const services = (json as { resource?: { fastly_service_vcl?: Record<string, ServiceJson> } }).resource?.fastly_service_vcl ?? {};
    for (const service of Object.values(services)) {
      const dir = join(out, stack, service.name);
      mkdirSync(join(dir, 'snippets'), { recursive: true });
      for (const f of service.vcl ?? []) {
        writeFileSync(join(dir, `${f.name}.vcl`), f.content);
        if (f.main) mains.push(join(dir, `${f.name}.vcl`));
      }
      for (const s of service.snippet ?? []) writeFileSync(join(dir, 'snippets', `${s.name}.vcl`), `# @scope: ${s.type}\n${s.content}`);
    }
  }
  return mains;
}

/** The CLI; returns the exit code. */
export function main(args: string[], log: (s: string) => void = console.log, error: (s: string) => void = console.error): number {
  try {
    const pin = () => {
      if (!existsSync(FALCO_PIN_FILE)) throw new Error(`${FALCO_PIN_FILE}: missing`);
      return parseFalcoPin(readFileSync(FALCO_PIN_FILE, 'utf8'));
    };
    switch (args[0]) {
      case 'url':
        log(pin().url);
        return 0;
      case 'verify':
        verifyFalco(args[1], pin());
        return 0;
      case 'export': {
        const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
        if (!out) throw new Error('usage: falco export --out DIR');
        log(exportVcl('cdktf.out', out).join('\n'));
        return 0;
      }
      default:
        throw new Error('usage: falco url | verify FILE | export --out DIR');
    }
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
