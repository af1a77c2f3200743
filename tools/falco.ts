/**
 * The reference Fastly VCL linter, falco (github.com/ysugimoto/falco), as a second opinion
 * next to the project's own checker (constructs/fastly/vcl-check.ts), in the pull request
 * workflow:
 *
 * - `falco url`: the release binary to download, from the pin `.github/falco.sha256`
 *   (`<sha256>  falco-<version>-linux-amd64`); refuses a missing or malformed pin.
 * - `falco verify FILE`: refuses a download whose SHA-256 is not the pinned one.
 * - `falco lint --falco BIN`: lints what each stack uploads to Fastly with `falco terraform`,
 *   which reads a Terraform plan's `planned_values` and, like Fastly, inserts each snippet at
 *   the `#FASTLY <type>` macro of its subroutine and resolves includes from the service's
 *   `vcl` blocks (falco docs/terraform.md; terraform/terraform.go and linter/linter.go
 *   lintFastlyBoilerPlateMacro at the pinned version). A snippet is statements, not a VCL
 *   file: linted alone it would not parse. The plan-shaped input is written from cdktf.out
 *   (no terraform, no credentials), one file per stack.
 * - `falco export --out DIR`: only writes those inputs, to run falco by hand.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** What falco's terraform input needs of a service (terraform/terraform.go FastlyServiceValues). */
interface ServiceJson {
  readonly name: string;
}

/**
 * falco keeps a planned resource only when `provider_name` is this and `type` is
 * fastly_service_vcl (terraform/terraform.go isFastlyVCLServiceResource).
 */
export const FALCO_PROVIDER_NAME = 'registry.terraform.io/fastly/fastly';

export interface FalcoInput {
  /** The plan-shaped JSON file for one stack. */
  readonly file: string;
  /** The services in it, each of which falco must report linting. */
  readonly services: readonly string[];
}

/** Writes `out/<stack>.json`, shaped like `terraform show -json` of a plan, for each stack with Fastly services. */
export function exportVcl(cdktfOut: string, out: string): FalcoInput[] {
  const inputs: FalcoInput[] = [];
  mkdirSync(out, { recursive: true });
  for (const [stack, json] of readStacks(cdktfOut)) {
    const services = Object.entries((json as { resource?: { fastly_service_vcl?: Record<string, ServiceJson> } }).resource?.fastly_service_vcl ?? {});
    if (services.length === 0) continue;
    const resources = services.map(([name, values]) => ({
      address: `fastly_service_vcl.${name}`,
      type: 'fastly_service_vcl',
      name,
      provider_name: FALCO_PROVIDER_NAME,
      values: Object.fromEntries(Object.entries(values).filter(([key]) => key !== '//')),
    }));
    const file = join(out, `${stack}.json`);
    writeFileSync(file, JSON.stringify({ planned_values: { root_module: { resources } } }, null, 2));
    inputs.push({ file, services: services.map(([, values]) => values.name) });
  }
  return inputs;
}

/** Runs a program with a file as its standard input; returns its exit status and output. */
export type Run = (binary: string, args: readonly string[], stdinFile: string) => { status: number | null; output: string };
const spawnRun: Run = (binary, args, stdinFile) => {
  const r = spawnSync(binary, [...args], { input: readFileSync(stdinFile), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${binary}: ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
};

/**
 * `falco terraform` on each input. Fails on falco's exit status, and when falco does not say
 * it linted each service: it exits 0 having linted nothing when it cannot read its input
 * (cmd/falco/main.go: the terraform case drops the stdin parse error).
 */
export function lintWithFalco(binary: string, inputs: readonly FalcoInput[], log: (s: string) => void, run: Run = spawnRun): number {
  let failed = inputs.length === 0;
  if (failed) log('falco: no Fastly service in cdktf.out/stacks: run npm start first');
  for (const input of inputs) {
    const { status, output } = run(binary, ['terraform'], input.file);
    log(output);
    const missed = input.services.filter((s) => !output.includes(`Lint service of "${s}"`));
    if (status !== 0) log(`falco: ${input.file}: exit status ${status}`);
    if (missed.length > 0) log(`falco: ${input.file}: falco did not lint ${missed.join(', ')} (its input was not read as a plan)`);
    failed ||= status !== 0 || missed.length > 0;
  }
  return failed ? 1 : 0;
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
        log(exportVcl('cdktf.out', out).map((i) => i.file).join('\n'));
        return 0;
      }
      case 'lint': {
        const binary = args.includes('--falco') ? args[args.indexOf('--falco') + 1] : undefined;
        if (!binary) throw new Error('usage: falco lint --falco BIN');
        return lintWithFalco(binary, exportVcl('cdktf.out', mkdtempSync(join(tmpdir(), 'falco-input-'))), log);
      }
      default:
        throw new Error('usage: falco url | verify FILE | lint --falco BIN | export --out DIR');
    }
  } catch (e) {
    error((e as Error).message);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
