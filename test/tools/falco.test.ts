import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { load } from 'js-yaml';
import { FALCO_PIN_FILE, exportVcl, main, parseFalcoPin, verifyFalco } from '../../tools/falco';
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

describe('falco export', () => {
  it('writes each service\'s VCL files and its snippets with their @scope, from the synthesized stacks', () => {
    const account = loadAccounts().find((a) => a.cdn.some((c) => c.vclFolder))!;
    const out = mkdtempSync(join(tmpdir(), 'falco-out-'));
    const cdktfOut = mkdtempSync(join(tmpdir(), 'falco-stacks-'));
    const json = synthAccount(account);
    mkdirSync(join(cdktfOut, 'stacks', account.name), { recursive: true });
    writeFileSync(join(cdktfOut, 'stacks', account.name, 'cdk.tf.json'), JSON.stringify(json));
    const mains = exportVcl(cdktfOut, out);
    const service = Object.values(json.resource.fastly_service_vcl as Record<string, { name: string; vcl: { name: string }[]; snippet: { name: string; type: string }[] }>)[0];
    const dir = join(out, account.name, service.name);
    expect(mains).toEqual([join(dir, 'main.vcl')]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.vcl')).sort()).toEqual(service.vcl.map((v) => `${v.name}.vcl`).sort());
    for (const s of service.snippet) expect(readFileSync(join(dir, 'snippets', `${s.name}.vcl`), 'utf8')).toMatch(new RegExp(`^# @scope: ${s.type}\\n`));
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

  it('lints each exported main VCL with its includes, and every snippet', () => {
    expect(script).toContain('node dist/tools/falco.js export');
    expect(script).toContain('lint -I "$(dirname "$main")" "$main"');
    expect(script).toContain('lint "$snippet"');
  });
});
