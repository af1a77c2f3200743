import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { load } from 'js-yaml';
import { FALCO_PIN_FILE, FALCO_PROVIDER_NAME, exportVcl, lintWithFalco, main, parseFalcoPin, verifyFalco } from '../../tools/falco';
import { loadAccounts } from '../../accounts';
import { errorOf, synthAccount } from '../helpers';

const root = join(__dirname, '../..');
const sha = 'a'.repeat(64);

describe('falco pin (.github/falco.sha256)', () => {
  it('reads the version and checksum, and derives the release URL', () => {
    expect(parseFalcoPin(`# comment\n${sha}  falco-v1.18.0-linux-amd64\n`)).toEqual({
      sha256: sha,
      version: 'v1.18.0',
      url: 'https://github.com/ysugimoto/falco/releases/download/v1.18.0/falco-linux-amd64',
    });
  });

  it.each([
    ['empty', ''],
    ['comments only', '# nothing\n'],
    ['the placeholder', 'UNSET  falco-v1.18.0-linux-amd64'],
    ['a short checksum', `${'a'.repeat(63)}  falco-v1.18.0-linux-amd64`],
    ['upper-case hex', `${'A'.repeat(64)}  falco-v1.18.0-linux-amd64`],
    ['no version', `${sha}  falco-linux-amd64`],
    ['two lines', `${sha}  falco-v1.18.0-linux-amd64\n${sha}  falco-v1.17.0-linux-amd64`],
  ])('refuses %s, naming the file and the expected form', (_what, text) => {
    expect(errorOf(() => parseFalcoPin(text))).toMatch(/^\.github\/falco\.sha256: got .*, expected .*"<sha256: 64 lower-case hex digits> {2}falco-<vX\.Y\.Z>-linux-amd64"/);
  });

  it('verify refuses a binary whose SHA-256 is not the pinned one, and accepts the pinned one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'falco-'));
    const binary = join(dir, 'falco');
    writeFileSync(binary, 'not falco');
    const pinned = parseFalcoPin(`${createHash('sha256').update('not falco').digest('hex')}  falco-v1.18.0-linux-amd64`);
    expect(() => verifyFalco(binary, pinned)).not.toThrow();
    expect(errorOf(() => verifyFalco(binary, parseFalcoPin(`${sha}  falco-v1.18.0-linux-amd64`)))).toContain(`is not the pinned ${sha} of falco v1.18.0`);
  });

  it('the CLI fails on the committed pin while its checksum is not set', () => {
    const committed = readFileSync(join(root, FALCO_PIN_FILE), 'utf8');
    const errors: string[] = [];
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const code = main(['url'], () => undefined, (e) => errors.push(e));
      let valid = true;
      try {
        parseFalcoPin(committed);
      } catch {
        valid = false;
      }
      expect(code).toBe(valid ? 0 : 1);
      if (!valid) expect(errors[0]).toContain('.github/falco.sha256: got "UNSET  falco-v1.18.0-linux-amd64"');
    } finally {
      process.chdir(cwd);
    }
  });
});

// falco v1.18.0 (the pinned release), read in its source: `falco terraform` takes the JSON
// of `terraform show -json <plan>` on stdin and keeps the resources whose provider_name is
// registry.terraform.io/fastly/fastly and type fastly_service_vcl (terraform/terraform.go);
// it inserts each snippet at the "#FASTLY <type>" macro of its subroutine
// (linter/linter.go lintFastlyBoilerPlateMacro) and prints `Lint service of "<name>"` per
// service; when stdin is not such a plan it lints nothing and exits 0 (cmd/falco/main.go).
describe('falco lint', () => {
  const account = loadAccounts().find((a) => a.cdn.some((c) => c.vclFolder))!;
  const json = synthAccount(account);
  const cdktfOut = mkdtempSync(join(tmpdir(), 'falco-stacks-'));
  mkdirSync(join(cdktfOut, 'stacks', account.name), { recursive: true });
  writeFileSync(join(cdktfOut, 'stacks', account.name, 'cdk.tf.json'), JSON.stringify(json));
  const services = Object.values(json.resource.fastly_service_vcl as Record<string, { name: string; vcl: unknown[]; snippet: unknown[]; backend: unknown[] }>);
  const inputs = exportVcl(cdktfOut, mkdtempSync(join(tmpdir(), 'falco-out-')));

  it('writes each stack with Fastly services as the plan JSON falco reads, services whole (VCL, snippets, backends)', () => {
    expect(inputs).toEqual([{ file: expect.stringMatching(new RegExp(`${account.name}\\.json$`)), services: services.map((s) => s.name) }]);
    const plan = JSON.parse(readFileSync(inputs[0].file, 'utf8'));
    const resources = plan.planned_values.root_module.resources as { provider_name: string; type: string; values: { name: string; vcl: unknown[]; snippet: unknown[]; backend: unknown[] } }[];
    expect(resources.map((r) => [r.provider_name, r.type])).toEqual(services.map(() => [FALCO_PROVIDER_NAME, 'fastly_service_vcl']));
    expect(FALCO_PROVIDER_NAME).toBe('registry.terraform.io/fastly/fastly');
    for (const [i, r] of resources.entries()) {
      expect(r.values.name).toBe(services[i].name);
      expect(r.values.vcl).toEqual(services[i].vcl);
      expect(r.values.snippet).toEqual(services[i].snippet);
      expect(r.values.backend).toEqual(services[i].backend);
    }
  });

  // A stand-in for falco: reads the plan as falco does and reports what it would lint.
  const fake = (behaviour: 'lints' | 'silent' | 'finds errors') => (_binary: string, args: readonly string[], stdinFile: string) => {
    expect(args).toEqual(['terraform']);
    if (behaviour === 'silent') return { status: 0, output: '' };
    const plan = JSON.parse(readFileSync(stdinFile, 'utf8'));
    const linted = (plan.planned_values.root_module.resources as { provider_name: string; type: string; values: { name: string } }[])
      .filter((r) => r.provider_name === FALCO_PROVIDER_NAME && r.type === 'fastly_service_vcl')
      .map((r) => `Lint service of "${r.values.name}"`);
    return { status: behaviour === 'lints' ? 0 : 1, output: linted.join('\n') };
  };

  it('passes when falco lints every service and exits 0', () => {
    expect(lintWithFalco('falco', inputs, () => undefined, fake('lints'))).toBe(0);
  });

  it('fails when falco reports errors, when it lints nothing while exiting 0, and when there is nothing to lint', () => {
    const logged: string[] = [];
    expect(lintWithFalco('falco', inputs, (l) => logged.push(l), fake('finds errors'))).toBe(1);
    expect(logged).toContainEqual(expect.stringMatching(/exit status 1$/));
    expect(lintWithFalco('falco', inputs, (l) => logged.push(l), fake('silent'))).toBe(1);
    expect(logged).toContainEqual(expect.stringContaining(`falco did not lint ${services.map((s) => s.name).join(', ')}`));
    expect(lintWithFalco('falco', [], (l) => logged.push(l), fake('lints'))).toBe(1);
  });
});

describe('the falco job', () => {
  const job = (load(readFileSync(join(root, '.github/workflows/pull-request.yml'), 'utf8')) as { jobs: Record<string, { steps: { run?: string }[] }> }).jobs.falco;
  const script = job.steps.map((s) => s.run ?? '').join('\n');

  it('downloads the pinned release and verifies its checksum before making it executable', () => {
    expect(script).toContain('node dist/tools/falco.js url');
    expect(script.indexOf('node dist/tools/falco.js verify')).toBeGreaterThan(script.indexOf('curl'));
    expect(script.indexOf('chmod +x')).toBeGreaterThan(script.indexOf('node dist/tools/falco.js verify'));
  });

  it('lints the synthesized stacks with the verified binary, through falco terraform', () => {
    expect(script.indexOf('npm start')).toBeGreaterThan(script.indexOf('chmod +x'));
    expect(script.indexOf('node dist/tools/falco.js lint --falco "$RUNNER_TEMP/falco"')).toBeGreaterThan(script.indexOf('npm start'));
  });
});
