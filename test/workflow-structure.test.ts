import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadAccounts } from '../accounts';
import { management } from '../accounts/management';
import { PREVIEW_ENVIRONMENT } from '../bootstrap/bootstrap-stack';
import { FALCO_PIN_FILE, parseFalcoPin } from '../tools/falco';
import { previewAccount, previewStack, previewStackName } from '../stacks/preview-stack';
import { preview as previewSettings } from '../accounts/sandbox/preview';
import { Testing } from 'cdktf';
import { REQUIRED_JOB } from '../tools/github';
import { DIRECTORY_ADMIN_PASSWORD_PLAN_PLACEHOLDER, DIRECTORY_ADMIN_PASSWORD_VARIABLE } from '../stacks/account-stack';
import { accountResources } from './helpers';

/**
 * The structure of the CI workflows (issue 14): what actionlint cannot know about this
 * project's rules. Parsed YAML, so a rule holds for every job and step, present or future.
 */
const root = join(__dirname, '..');
type Step = { name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, string | number | boolean> };
type Job = {
  name?: string; if?: string; needs?: string | string[]; environment?: string; permissions?: Record<string, string> | string;
  env?: Record<string, string>; 'timeout-minutes'?: number; steps?: Step[]; strategy?: { matrix?: unknown }; concurrency?: unknown;
};
type Workflow = { on: Record<string, unknown>; permissions?: unknown; env?: Record<string, string>; concurrency?: { group: string; 'cancel-in-progress': boolean | string }; jobs: Record<string, Job> };

const read = (file: string) => readFileSync(join(root, file), 'utf8');
const workflowFiles = readdirSync(join(root, '.github/workflows')).map((f) => join('.github/workflows', f));
const workflow = (name: string) => load(read(`.github/workflows/${name}`)) as Workflow;
const action = (name: string) => load(read(`.github/actions/${name}/action.yml`)) as { runs: { steps: Step[] } };
const pr = workflow('pull-request.yml');
const apply = workflow('apply.yml');
const drift = workflow('drift.yml');
const ours = { 'pull-request.yml': pr, 'apply.yml': apply, 'drift.yml': drift };
const jobsOf = (w: Workflow) => Object.entries(w.jobs);
const allJobs = Object.entries(ours).flatMap(([f, w]) => jobsOf(w).map(([id, job]) => [`${f}:${id}`, job] as const));
const text = (x: unknown) => JSON.stringify(x ?? '');
const usesSecrets = (x: unknown) => /\$\{\{\s*secrets\./.test(text(x));
const permission = (job: Job, name: string) => (typeof job.permissions === 'object' ? job.permissions[name] : undefined);

describe('secrets and credentials', () => {
  it.each(workflowFiles)('%s: no secret at workflow or job level (only steps that need one get it)', (file) => {
    const w = load(read(file)) as Workflow;
    expect(usesSecrets(w.env)).toBe(false);
    for (const [id, job] of jobsOf(w)) expect([id, usesSecrets(job.env)]).toEqual([id, false]);
  });

  it.each(workflowFiles)('%s: a step that gets a secret runs terraform or seals a file, nothing else', (file) => {
    const w = load(read(file)) as Workflow;
    for (const [id, job] of jobsOf(w)) {
      for (const step of (job.steps ?? []).filter(usesSecrets)) {
        const ok = step.uses === './.github/actions/terraform-plan' || /(^|\n|\s)terraform (apply|plan)\b/.test(step.run ?? '') || /dist\/tools\/seal\.js seal/.test(step.run ?? '');
        expect([id, step.name ?? step.uses ?? step.run, ok]).toEqual([id, step.name ?? step.uses ?? step.run, true]);
      }
    }
  });

  it('the terraform-plan action hands the keys to the terraform step only, not to the credentials action', () => {
    const steps = action('terraform-plan').runs.steps;
    const withKeys = steps.filter((s) => /inputs\.(datadog-|fastly-|TF_VAR_)/.test(text(s)));
    expect(withKeys.map((s) => s.name)).toEqual(['Plan']);
  });

  describe("Terraform's warnings reach the plan report (issue 15)", () => {
    // `terraform plan -json` prints the machine-readable UI, one JSON message a line, with
    // warnings and errors as `"type": "diagnostic"` messages:
    // https://developer.hashicorp.com/terraform/internals/machine-readable-ui
    const planStep = action('terraform-plan').runs.steps.find((s) => s.name === 'Plan')!;
    const fixture = join(root, 'test/tools/fixtures/plan-log.jsonl');

    it('the plan step runs terraform plan -json, keeps its messages in plan.log.json and its exit code', () => {
      expect(planStep.run).toMatch(/terraform plan -json .*-detailed-exitcode .*-out=tfplan 2>plan\.stderr \\\n\s*\| tee plan\.log\.json \\\n/);
      // The exit code of terraform, not of jq or tee (pipefail would report theirs).
      expect(planStep.run).toContain('code=${PIPESTATUS[0]}');
    });

    it('plan.log, which the failure paths show, still reads as text: each message, and a diagnostic\'s place and detail', () => {
      const out = execFileSync('jq', ['-R', '-r', planStep.env!.TEXT_OF_MESSAGE], { input: `${readFileSync(fixture, 'utf8')}not JSON\n`, encoding: 'utf8' });
      expect(out.split('\n')).toEqual([
        'Terraform 1.10.5',
        'Warning: Deprecated attribute',
        '  on main.tf line 12',
        '  The attribute "inline_policy" is deprecated.',
        'Error: creating RDS DB Instance: InvalidParameterCombination',
        '  in aws_db_instance.main',
        'not JSON',
        '',
      ]);
    });

    it('every job that plans and renders a report passes the plan -json log to plan-report --diagnostics', () => {
      const rendering = allJobs.filter(([, job]) => (job.steps ?? []).some((s) => s.uses === './.github/actions/terraform-plan'))
        .flatMap(([id, job]) => (job.steps ?? []).filter((s) => /dist\/tools\/plan-report\.js/.test(s.run ?? '')).map((s) => [id, s.name, s.run ?? ''] as const));
      expect(rendering.length).toBeGreaterThanOrEqual(3);
      for (const [id, name, run] of rendering) expect([id, name, run.includes('--diagnostics "cdktf.out/stacks/$STACK/plan.log.json"')]).toEqual([id, name, true]);
    });
  });

  it('plans (pull requests, approval plans, drift) use read-only Datadog and Fastly keys; only the apply has write keys', () => {
    for (const [id, job] of allJobs) {
      // The providers' credentials (DD_API_KEY, DD_APP_KEY, FASTLY_API_KEY); DATADOG_FASTLY_API_KEY
      // is a Terraform variable every job passes alike (a read-only Fastly token given to Datadog).
      const keys = [...text(job).matchAll(/secrets\.((?:DATADOG_API|DATADOG_APP|FASTLY_API)_KEY\w*)/g)].map((m) => m[1]);
      if (id === 'apply.yml:apply') expect(keys.every((k) => !k.endsWith('_READ'))).toBe(true);
      else expect([id, keys.filter((k) => !k.endsWith('_READ'))]).toEqual([id, []]);
    }
  });

  it('every npm ci in a workflow or action of this pipeline runs no install script', () => {
    const files = [...Object.keys(ours).map((f) => `.github/workflows/${f}`), ...readdirSync(join(root, '.github/actions')).map((d) => `.github/actions/${d}/action.yml`)];
    for (const f of files) for (const line of read(f).split('\n').filter((l) => /npm ci\b/.test(l) && !l.trim().startsWith('#'))) expect([f, line]).toEqual([f, expect.stringContaining('--ignore-scripts')]);
  });

  it('no plan or state leaves a job in clear: uploads of tfplan, plan.json or tfstate are sealed', () => {
    for (const [id, job] of allJobs) {
      for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith('actions/upload-artifact@'))) {
        const paths = String(step.with?.path ?? '').split('\n').map((p) => p.trim()).filter(Boolean);
        for (const p of paths) expect([id, p, /tfplan|plan\.json|tfstate/.test(p) && !p.endsWith('.sealed')]).toEqual([id, p, false]);
      }
    }
  });

  it('jobs with cloud credentials are the plan, apply, drift and lock jobs, and forks get none', () => {
    const withIdToken = allJobs.filter(([, job]) => permission(job, 'id-token') === 'write').map(([id]) => id).sort();
    expect(withIdToken).toEqual(['apply.yml:apply', 'apply.yml:plan', 'apply.yml:release-lock', 'drift.yml:drift', 'pull-request.yml:plan']);
    expect(pr.jobs['destroy-approval'].if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(pr.jobs.plan.needs).toContain('destroy-approval');
  });
});

describe('apply what was reviewed, in order, recoverably', () => {
  const applyJob = apply.jobs.apply;
  const stepRuns = (job: Job) => (job.steps ?? []).map((s) => s.run ?? '').join('\n');

  it('serializes the whole apply path (one run at a time, never cancelled)', () => {
    expect(apply.concurrency).toEqual({ group: 'apply', 'cancel-in-progress': false });
  });

  it('plans every change since the last applied commit of each stack, not since the previous push', () => {
    expect(read('.github/workflows/apply.yml')).not.toContain('github.event.before');
    expect(text(apply.jobs.check)).toContain('lastAppliedCommits');
    expect(stepRuns(apply.jobs.check)).toContain('dist/tools/apply-stacks.js');
  });

  it('applies in the stack\'s environment only after the approval plan, re-plans, compares and re-runs the destroy guard', () => {
    expect(applyJob.environment).toBe('${{ matrix.stack }}');
    expect(applyJob.needs).toBe('approved');
    expect(apply.jobs.approved.needs).toEqual(['check', 'plan']);
    expect(apply.jobs.plan.environment).toBeUndefined();
    const runs = stepRuns(applyJob);
    const order = ['plan-summary.js compare', 'plan-report.js', 'terraform apply'].map((s) => runs.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(runs).toMatch(/terraform apply [^\n]*tfplan/);
    expect(runs).not.toContain('--allow-destroy "'); // the flag comes from the approval only
  });

  // actions/download-artifact (src/download-artifact.ts at the pinned v8.0.1) extracts a
  // pattern's artifacts into path/<artifact name> only when more than one matches, or into
  // path itself with merge-multiple; a lone match lands in path. Each approved-<stack>
  // artifact therefore carries its own approved-<stack>/ folder (upload root approved/),
  // and the approved job merges, so one affected stack is found like several.
  it('finds every approved stack however many were planned (one included)', () => {
    const planRuns = stepRuns(apply.jobs.plan);
    expect(planRuns).toContain('--out "approved/approved-$STACK/summary.txt"');
    expect(planRuns).toContain('> "approved/approved-$STACK/allow-destroy"');
    const upload = (apply.jobs.plan.steps ?? []).find((s) => s.with?.name === 'approved-${{ matrix.stack }}');
    expect(upload?.with?.path).toBe('approved/');
    const download = (apply.jobs.approved.steps ?? []).find((s) => s.with?.pattern === 'approved-*');
    expect(download?.with).toMatchObject({ path: 'approved', 'merge-multiple': true });
    expect(stepRuns(apply.jobs.approved)).toContain('--approved approved)');
    // The apply job downloads its one artifact by name into approved/: the folder is inside.
    const own = (applyJob.steps ?? []).find((s) => s.with?.name === 'approved-${{ matrix.stack }}');
    expect(own?.with?.path).toBe('approved');
    expect(stepRuns(applyJob)).toContain('--reviewed "approved/approved-$STACK/summary.txt"');
    expect(stepRuns(applyJob)).toContain('cat "approved/approved-$STACK/allow-destroy"');
  });

  it('when a run applies exactly the merged PR, its approval plan must match the plan reviewed on the PR', () => {
    const steps = apply.jobs.plan.steps ?? [];
    const find = steps.findIndex((s) => text(s).includes('reviewedPlanRun'));
    const compare = steps.findIndex((s) => /plan-summary\.js compare --reviewed "reviewed\//.test(s.run ?? ''));
    const report = steps.findIndex((s) => /plan-report\.js/.test(s.run ?? ''));
    expect(find).toBeGreaterThan(-1);
    expect(compare).toBeGreaterThan(find);
    expect(report).toBeGreaterThan(compare);
    expect(permission(apply.jobs.plan, 'actions')).toBe('read');
  });

  it('sizes long applies: a 3 h apply-role session (max_session_duration 10800) and a job timeout just above it', () => {
    const plan = applyJob.steps?.find((s) => s.uses === './.github/actions/terraform-plan');
    expect(plan?.with?.['role-duration-seconds']).toBe('10800');
    expect(applyJob['timeout-minutes']).toBeGreaterThan(180);
    expect(applyJob['timeout-minutes']).toBeLessThanOrEqual(200);
    for (const [id, job] of allJobs.filter(([id]) => id !== 'apply.yml:apply')) {
      for (const s of (job.steps ?? []).filter((x) => x.uses === './.github/actions/terraform-plan')) expect([id, s.with?.['role-duration-seconds']]).toEqual([id, '3600']);
    }
  });

  it('re-applies or unlocks one stack on demand, offering exactly the stacks the repo synthesizes (accounts and management)', () => {
    const inputs = (apply.on.workflow_dispatch as { inputs: Record<string, { options?: string[] }> }).inputs;
    // Derived from the repo: the accounts of accounts/index.ts, and the management stack of
    // accounts/management.ts (applied on push, so it must be re-appliable and unlockable too).
    const stacks: Array<[name: string, file: string]> = [...loadAccounts().map((a) => [a.name, 'accounts/index.ts'] as [string, string]), [management.name, 'accounts/management.ts']];
    const offered = inputs.stack.options ?? [];
    const where = '.github/workflows/apply.yml, on.workflow_dispatch.inputs.stack.options';
    const problems = [
      ...stacks.filter(([name]) => !offered.includes(name)).map(([name, file]) => `${where}: add "${name}" (a stack of ${file})`),
      ...offered.filter((o) => !stacks.some(([name]) => name === o)).map((o) => `${where}: remove "${o}" (no such stack)`),
    ];
    expect(problems).toEqual([]);
    expect(inputs.operation.options).toEqual(['apply', 'release-lock']);
    expect(stepRuns(apply.jobs['release-lock'])).toContain('dist/tools/state-lock.js release');
    // No environment: an environment job counts as a deployment, i.e. as an applied commit.
    expect(Object.entries(apply.jobs).filter(([, j]) => j.environment !== undefined).map(([id]) => id)).toEqual(['apply']);
  });

  it('opens and closes the failed-apply issue, and seals errored.tfstate', () => {
    expect(text(applyJob)).toContain('syncApplyIssue');
    expect(text(apply.jobs.plan)).toContain('syncApplyIssue');
    const seal = applyJob.steps?.find((s) => /errored\.tfstate/.test(s.run ?? ''));
    expect(seal?.run).toContain('dist/tools/seal.js seal');
    expect(seal?.if).toContain('failure()');
    // upload-artifact fails on a name the run already holds unless overwrite is set (its
    // action.yml, input "overwrite"); a re-run of the failed apply job is the same run, and
    // overwriting would drop the earlier attempt's unsaved state: one artifact per attempt.
    const upload = applyJob.steps?.find((s) => String(s.with?.path ?? '').includes('.sealed'));
    expect(upload?.with?.name).toBe('errored-tfstate-${{ matrix.stack }}-${{ github.run_attempt }}');
  });
});

describe('shell steps', () => {
  // bash -e does not stop on a failing command substitution inside another command's
  // arguments (`echo "x=$(tool)"` succeeds with an empty value): a tool's failure would pass
  // unnoticed. Its output is assigned first, which fails the step (GNU bash manual, "The Set
  // Builtin", -e; GitHub runs `run:` with `bash -e {0}`).
  const actionFiles = readdirSync(join(root, '.github/actions')).map((a) => join('.github/actions', a, 'action.yml'));
  const runs = [...workflowFiles, ...actionFiles].flatMap((file) => {
    const parsed = load(read(file)) as Workflow & { runs?: { steps?: Step[] } };
    const steps = [...Object.values(parsed.jobs ?? {}).flatMap((j) => j.steps ?? []), ...(parsed.runs?.steps ?? [])];
    return steps.filter((s) => s.run).map((s) => [file, s.run as string] as const);
  });

  it('never pass a node tool\'s output straight into echo (a failing tool would write an empty output)', () => {
    expect(runs.length).toBeGreaterThan(10);
    const hidden = runs.flatMap(([file, run]) => run.split('\n').filter((line) => /\becho\b[^\n]*\$\(node /.test(line)).map((line) => `${file}: ${line.trim()}`));
    expect(hidden).toEqual([]);
  });
});

describe('pull request checks', () => {
  it('runs on the merge queue too', () => {
    expect(Object.keys(pr.on)).toEqual(expect.arrayContaining(['pull_request', 'merge_group']));
  });

  it('has one aggregate required job that always runs and needs every gating job', () => {
    const required = pr.jobs.required;
    expect(required.if).toBe('always()');
    // tools/github.ts reviewedPlanRun finds the reviewed plans by this job's name.
    expect(required.name).toBe(REQUIRED_JOB);
    // falco is advisory while its checksum is not set (.github/falco.sha256); once it is, it gates.
    const falcoAdvisory = (() => {
      try {
        parseFalcoPin(read(FALCO_PIN_FILE));
        return false;
      } catch {
        return true;
      }
    })();
    const gating = Object.keys(pr.jobs).filter((id) => id !== 'required' && id !== 'pull-request' && !(id === 'falco' && falcoAdvisory));
    expect([...(required.needs as string[])].sort()).toEqual(gating.sort());
    expect(text(required.steps)).toContain('ci-gates.js required');
  });

  it('validates every stack without credentials, on forks too', () => {
    const validate = pr.jobs.validate;
    expect(validate.if).toBeUndefined();
    expect(permission(validate, 'id-token')).toBeUndefined();
    expect(usesSecrets(validate)).toBe(false);
    expect(text(validate.steps)).toContain('validate-stacks.js validate');
  });

  it('labels the PR from plan-report --labels-out, says when a plan failed, and drops stale comments', () => {
    expect(text(pr.jobs.plan)).toContain('--labels-out');
    expect(text(pr.jobs.plan)).toContain('planErrorBody');
    expect(text(pr.jobs['pull-request'])).toContain('removeStaleComments');
    expect(text(pr.jobs['pull-request'])).toContain('syncPlanLabels');
  });

  it('cancels superseded PR runs, never a merge queue run', () => {
    expect(pr.concurrency?.['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
  });

  // GitHub cancels a step by signalling its bash, then kills the process tree 10 s later
  // (docs.github.com/en/actions/reference/workflow-cancellation-reference): a plan cancelled by
  // a push would leave its S3 lock on the stack's state, and the next apply would wait on it.
  // A speculative plan needs no lock (developer.hashicorp.com/terraform/cli/commands/plan).
  it('plans of cancellable runs (pull requests, merge queue) take no state lock; the apply path still does', () => {
    const planStep = action('terraform-plan').runs.steps.find((s) => s.name === 'Plan')!;
    expect(planStep.env?.LOCK).toBe('${{ inputs.lock }}');
    expect(planStep.run).toMatch(/terraform plan [^\n]*-lock="\$LOCK" /);
    const inputs = (load(read('.github/actions/terraform-plan/action.yml')) as { inputs: Record<string, { default?: string }> }).inputs;
    expect(inputs.lock.default).toBe('true');
    const lockOf = (job: Job) => (job.steps ?? []).filter((s) => s.uses === './.github/actions/terraform-plan').map((s) => s.with?.lock ?? inputs.lock.default);
    expect(lockOf(pr.jobs.plan)).toEqual(['false']);
    expect([...lockOf(apply.jobs.plan), ...lockOf(apply.jobs.apply), ...lockOf(drift.jobs.drift)]).toEqual(['true', 'true', 'true']);
  });
});

describe('drift', () => {
  it('ignores the Fastly version comment and reports a failed plan on the issue', () => {
    const job = drift.jobs.drift;
    expect(text(job)).toContain('plan-summary.js drift');
    const issue = job.steps?.find((s) => text(s).includes('syncDriftIssue'));
    expect(issue?.if).toBe('always()');
    expect(text(issue)).toContain('driftResultOf');
  });
});

describe('every job', () => {
  it.each(allJobs.map(([id, job]) => [id, job] as [string, Job]))('%s has a timeout and its own permissions', (_id, job) => {
    expect(job['timeout-minutes']).toBeGreaterThan(0);
    expect(job.permissions).toBeDefined();
  });
});

describe('toolchain and ownership', () => {
  it('runs Node 24 (.nvmrc) in CI, while package.json still accepts Node 20 and a job tests it', () => {
    expect(read('.nvmrc').trim()).toBe('24');
    expect(JSON.parse(read('package.json')).engines.node).toBe('>=20');
    expect(text(pr.jobs['node-20'].steps)).toContain('"node-version":20');
    const setups = allJobs.flatMap(([id, job]) => (job.steps ?? []).filter((s) => s.uses?.startsWith('actions/setup-node@')).map((s) => [id, s] as const));
    for (const [id, s] of setups.filter(([id]) => id !== 'pull-request.yml:node-20')) expect([id, s.with?.['node-version-file']]).toEqual([id, '.nvmrc']);
    expect(read('.github/actions/setup/action.yml')).toContain('node-version-file: .nvmrc');
  });

  it('CODEOWNERS covers production (and the VCL it runs), bootstrap, workflows, policies and the CI tools', () => {
    const owners = read('.github/CODEOWNERS').split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split(/\s+/)[0]);
    expect(owners).toEqual(expect.arrayContaining(['/accounts/production/', '/vcl/', '/bootstrap/', '/.github/', '/policies/', '/tools/', '/terraform-locks/']));
  });

  it('Renovate updates action SHAs, npm packages and the Terraform version', () => {
    const renovate = JSON.parse(read('renovate.json'));
    expect(renovate.enabledManagers).toEqual(expect.arrayContaining(['github-actions', 'npm', 'terraform-version']));
    expect(renovate.extends).toContain('helpers:pinGitHubActionDigests');
    expect(existsSync(join(root, '.terraform-version'))).toBe(true);
  });
});

describe('preview', () => {
  const preview = workflow('preview.yml');
  const jobs = jobsOf(preview);
  const withCredentials = jobs.filter(([, job]) => permission(job, 'id-token') === 'write');

  it('runs on pull request events (closing and unlabelling included) and on a schedule', () => {
    expect((preview.on.pull_request as { types: string[] }).types).toEqual(expect.arrayContaining(['synchronize', 'labeled', 'unlabeled', 'closed']));
    expect(Object.keys(preview.on)).toContain('schedule');
  });

  it('gives credentials only to jobs in the preview environment, which the infra-ci-preview role trusts', () => {
    expect(withCredentials.map(([id]) => id).sort()).toEqual(['apply', 'destroy', 'sweep', 'sweep-destroy']);
    for (const [id, job] of withCredentials) expect([id, job.environment]).toEqual([id, PREVIEW_ENVIRONMENT]);
  });

  it('decides only for pull requests of this repository (forks get no preview)', () => {
    expect(preview.jobs.decide.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(preview.jobs.apply.needs).toBe('decide');
    expect(preview.jobs.destroy.needs).toBe('decide');
  });

  it('never cancels a run (a cancelled apply or destroy leaves a lock and half a stack)', () => {
    expect(preview.concurrency?.['cancel-in-progress']).toBe(false);
  });

  // Concurrency groups are shared by workflows and jobs of a repository
  // (https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idconcurrency):
  // a sweep destroy of preview-<pr> must take the group the PR's own runs hold.
  it('serialises a sweep destroy with the runs of the same pull request', () => {
    const prGroup = preview.concurrency!.group.replace(/\$\{\{ github\.event\.pull_request\.number \|\| 'sweep' \}\}/, '7');
    expect(prGroup).toBe(previewStackName(7));
    const sweepDestroy = preview.jobs['sweep-destroy'].concurrency as { group: string; 'cancel-in-progress': boolean };
    expect(sweepDestroy).toEqual({ group: '${{ matrix.stack }}', 'cancel-in-progress': false });
  });

  it('applies and destroys only stack names the tool made, re-checked as preview-<number> before terraform runs', () => {
    for (const [id, job] of withCredentials.filter(([id]) => id !== 'sweep')) {
      const steps = job.steps ?? [];
      const terraform = steps.findIndex((s) => /terraform (apply|destroy)/.test(s.run ?? ''));
      const guard = steps.findIndex((s) => (s.run ?? '').includes('^preview-'));
      expect([id, terraform > -1, guard > -1 && guard <= terraform]).toEqual([id, true, true]);
      expect(text(steps)).toContain('dist/tools/preview.js synth');
    }
  });

  it('has a timeout and its own permissions in every job', () => {
    for (const [id, job] of jobs) expect([id, job['timeout-minutes']! > 0, job.permissions !== undefined]).toEqual([id, true, true]);
  });

  // Terraform keeps a destroyed stack's state object, empty; the sweep lists every state
  // object under preview-*, so each one left behind would be destroyed again every day.
  it('removes the state object after a destroy that left no resource, at the key the preview backend uses', () => {
    const byName = (name: string) => loadAccounts().find((a) => a.name === name)!;
    const account = previewAccount(byName(previewSettings.account), byName(previewSettings.source), previewSettings, 7, { apps: [], aurora: [], sqlServer: [] });
    const backend = previewStack(Testing.app(), account, 7, '2026-12-13T00:00:00Z').toTerraform() as { terraform: { backend: { s3: { key: string } } } };
    expect(backend.terraform.backend.s3.key).toBe(`${previewStackName(7)}/terraform.tfstate`);
    for (const id of ['destroy', 'sweep-destroy']) {
      const run = (preview.jobs[id].steps ?? []).find((s) => /terraform destroy/.test(s.run ?? ''))!.run!;
      const lines = run.split('\n').map((l) => l.trim());
      const destroy = lines.findIndex((l) => l.startsWith('terraform destroy'));
      const list = lines.findIndex((l) => l === 'left=$(terraform state list)');
      const rm = lines.findIndex((l) => l === 'if [ -z "$left" ]; then aws s3 rm "s3://$BUCKET/$STACK/terraform.tfstate"; fi');
      expect([id, destroy > -1 && destroy < list && list < rm]).toEqual([id, true]);
    }
  });
});

/**
 * Pull-request and merge-queue runs execute branch code: whoever can push a branch can make
 * such a job print what it receives. So those jobs get only the secrets a correct plan
 * needs (issue 14 follow-up). Derived from the parsed workflows: every job of every workflow
 * a pull_request, pull_request_target or merge_group event starts, and the secrets it names.
 */
describe('pull-request and merge-queue jobs get only the secrets a plan needs', () => {
  const BRANCH_EVENTS = ['pull_request', 'pull_request_target', 'merge_group'];
  const triggers = (w: Workflow) => (typeof w.on === 'string' ? [w.on] : Array.isArray(w.on) ? (w.on as string[]) : Object.keys(w.on));
  const branchJobs = workflowFiles.flatMap((file) => {
    const w = load(read(file)) as Workflow;
    if (!triggers(w).some((t) => BRANCH_EVENTS.includes(t))) return [];
    return jobsOf(w).map(([id, job]) => [`${file.replace('.github/workflows/', '')}:${id}`, job] as const);
  });
  const secretsOf = (x: unknown) => [...new Set([...text(x).matchAll(/secrets\.(\w+)/g)].map((m) => m[1]))].sort();

  /**
   * The secrets a pull-request plan cannot do without, and why. A value Terraform compares on
   * every plan must be the real one, or the plan shows a change the apply would not make.
   */
  const NEEDED_BY_PR_PLAN: Record<string, string> = {
    DATADOG_API_KEY_READ: 'the Datadog provider reads monitors and dashboards (read-only key)',
    DATADOG_APP_KEY_READ: 'the Datadog provider reads monitors and dashboards (read-only scopes)',
    FASTLY_API_KEY_READ: 'the Fastly provider reads services (read-only token)',
    // fastly+terraform-provider-fastly fastly/block_fastly_service_logging_datadog.go: `token`
    // is a Required attribute kept in state and diffed like any other; the management stack
    // also puts it in the break-glass SNS subscription's endpoint URL.
    FASTLY_DATADOG_LOGS_TOKEN: 'compared on every plan (Fastly logging_datadog token, SNS endpoint): no read-only variant, a Datadog API key has no scopes',
    // constructs/monitoring/fastly-integration.ts: datadog_integration_fastly_account api_key.
    DATADOG_FASTLY_API_KEY: 'compared on every plan (Datadog Fastly account api_key); already a read-only Fastly token',
  };

  it('finds the pull-request plan job among the jobs branch code runs', () => {
    expect(branchJobs.map(([id]) => id)).toEqual(expect.arrayContaining(['pull-request.yml:plan', 'pull-request.yml:check', 'preview.yml:apply']));
  });

  it.each(branchJobs.map(([id, job]) => [id, job] as [string, Job]))('%s names no secret a plan does without', (id, job) => {
    expect([id, secretsOf(job).filter((s) => !(s in NEEDED_BY_PR_PLAN))]).toEqual([id, []]);
  });

  it('only the pull-request plan job gets secrets, and exactly the ones it needs', () => {
    const withSecrets = branchJobs.filter(([, job]) => secretsOf(job).length > 0).map(([id, job]) => [id, secretsOf(job)]);
    expect(withSecrets).toEqual([['pull-request.yml:plan', Object.keys(NEEDED_BY_PR_PLAN).sort()]]);
  });

  const planInputs = (job: Job) => job.steps?.find((s) => s.uses === './.github/actions/terraform-plan')?.with ?? {};
  const PASSWORD = `TF_VAR_${DIRECTORY_ADMIN_PASSWORD_VARIABLE}`;

  // Every terraform plan of every workflow, with whether its job runs in a GitHub environment.
  const planJobs = workflowFiles.flatMap((file) =>
    jobsOf(load(read(file)) as Workflow)
      .filter(([, job]) => (job.steps ?? []).some((s) => s.uses === './.github/actions/terraform-plan'))
      .map(([id, job]) => [`${file.replace('.github/workflows/', '')}:${id}`, job] as const),
  );

  it('finds the plans of pull requests, approval, drift and apply', () => {
    expect(planJobs.map(([id]) => id)).toEqual(expect.arrayContaining(['pull-request.yml:plan', 'apply.yml:plan', 'apply.yml:apply', 'drift.yml:drift']));
  });

  // A repository secret is readable by a workflow edited on any pushed branch; an environment
  // secret only by jobs of that environment (deployment branches: main). The password is used
  // only when the directory is created, so every plan outside an environment (pull request,
  // approval, drift) passes the placeholder, and only the apply, which re-plans in the
  // account's environment and compares with the approved summary, gets the secret.
  it.each(planJobs.map(([id, job]) => [id, job] as [string, Job]))('%s: the directory password is the secret in an environment job, else the placeholder', (id, job) => {
    const expected = job.environment !== undefined ? '${{ secrets.DIRECTORY_ADMIN_PASSWORD }}' : DIRECTORY_ADMIN_PASSWORD_PLAN_PLACEHOLDER;
    expect([id, planInputs(job)[PASSWORD]]).toEqual([id, expected]);
  });

  it('only jobs in an environment name the DIRECTORY_ADMIN_PASSWORD secret (so it can be an environment secret)', () => {
    const readers = workflowFiles.flatMap((file) => jobsOf(load(read(file)) as Workflow).filter(([, job]) => secretsOf(job).includes('DIRECTORY_ADMIN_PASSWORD')).map(([id, job]) => [`${file.replace('.github/workflows/', '')}:${id}`, job.environment !== undefined]));
    expect(readers).toEqual([['apply.yml:apply', true]]);
  });

  // Why the placeholder leaves the plan right: the directory ignores the password after
  // creation, so an existing directory shows no change whatever the value; a new one is a
  // create either way (a sensitive value, shown as such), and the apply re-plans with the
  // secret and compares actions and addresses (tools/plan-summary.ts).
  it('every account directory ignores password changes (lifecycle.ignore_changes)', () => {
    const directories = accountResources('aws_directory_service_directory');
    expect(directories.length).toBeGreaterThan(0);
    for (const [id, r] of directories) expect([id, r.lifecycle?.ignore_changes]).toEqual([id, expect.arrayContaining(['password'])]);
  });

  // The variable's validation (the CreateMicrosoftAD Password rules,
  // https://docs.aws.amazon.com/directoryservice/latest/devguide/API_CreateMicrosoftAD.html)
  // runs on every plan: the placeholder must pass it, or the PR plan fails.
  it('the placeholder passes CreateMicrosoftAD password rules, as the variable validation checks them', () => {
    const p = DIRECTORY_ADMIN_PASSWORD_PLAN_PLACEHOLDER;
    expect(p.length).toBeGreaterThanOrEqual(8);
    expect(p.length).toBeLessThanOrEqual(64);
    expect(p.toLowerCase()).not.toContain('admin');
    expect([/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((c) => c.test(p)).length).toBeGreaterThanOrEqual(3);
  });
});
