import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

/** .github/workflows/image-bump.yml: what actionlint cannot know about the monthly bump. */
type Step = { id?: string; name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> };
const text = readFileSync(join(__dirname, '../.github/workflows/image-bump.yml'), 'utf8');
const workflow = load(text) as { on: Record<string, unknown>; jobs: Record<string, { permissions: Record<string, string>; steps: Step[] }> };
const job = workflow.jobs.bump;
const index = (match: (s: Step) => boolean) => job.steps.findIndex(match);

describe('image-bump workflow', () => {
  it('runs monthly after the Image Builder build (days 15-28) and on demand', () => {
    expect(workflow.on.schedule).toEqual([{ cron: '0 9 15-28 * *' }]);
    expect(Object.keys(workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
  });

  it('has only the permissions it uses: read code, push the bump branch, open the PR, OIDC', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['bump']);
    expect(job.permissions).toEqual({ contents: 'write', 'pull-requests': 'write', 'id-token': 'write' });
    expect(text).not.toMatch(/secrets\./);
  });

  it('assumes the builder account\'s read-only role the tool names, then only calls the tool', () => {
    const creds = job.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(creds.with).toMatchObject({ 'role-to-assume': '${{ steps.builder.outputs.role-arn }}', 'allowed-account-ids': '${{ steps.builder.outputs.account }}' });
    expect(job.steps.filter((s) => s.run?.includes('dist/tools/')).map((s) => s.run!.trim())).toEqual([
      'node dist/tools/image-bump.js builder',
      'node dist/tools/image-bump.js bump --body "$RUNNER_TEMP/image-bump.md"',
    ]);
  });

  it('tests the edited repository before it opens or updates the one PR of the month (image-bump/<yyyy-mm>)', () => {
    const test = index((s) => /\bnpm test\b/.test(s.run ?? ''));
    const pr = index((s) => /gh pr create/.test(s.run ?? ''));
    expect(test).toBeGreaterThan(index((s) => s.id === 'bump'));
    expect(pr).toBeGreaterThan(test);
    for (const i of [test, pr]) expect(job.steps[i].if).toBe("steps.bump.outputs.changed == 'true'");
    expect(job.steps[pr].run).toContain('branch="image-bump/$month"');
    expect(job.steps[pr].run).toContain('gh pr edit "$pr"');
    // Neither step keeps the AWS session.
    for (const i of [test, pr]) expect(job.steps[i].env).toMatchObject({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' });
  });

  // https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/enabling-features-for-your-repository/managing-github-actions-settings-for-a-repository#preventing-github-actions-from-creating-or-approving-pull-requests
  // With the repository setting off, `gh pr create` with the workflow's GITHUB_TOKEN is refused
  // ("GitHub Actions is not permitted to create or approve pull requests"): a human turns it on.
  it('names, in the README\'s human steps, the repository setting that lets GITHUB_TOKEN open the PR', () => {
    const pr = job.steps.find((s) => /gh pr create/.test(s.run ?? ''))!;
    expect(pr.env?.GH_TOKEN).toBe('${{ github.token }}');
    const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
    const monthly = readme.slice(readme.indexOf('## Monthly patched images'), readme.indexOf('\n## ', readme.indexOf('## Monthly patched images') + 1));
    expect(monthly.replace(/\s+/g, ' ')).toContain('Allow GitHub Actions to create and approve pull requests');
  });
});
