import { TimelineEvent } from '../../tools/destroy-approval';
import {
  GitHubClient, applyFailedTitle, applyResultBody, driftResultOf, reviewedPlanRun, commentApplyResult, destroyApprovalOf, driftTitle, lastAppliedCommit, lastAppliedCommits, mergePlanLabels,
  planErrorBody, pullRequestOfMergeGroup, removeStaleApproval, removeStaleComments, syncApplyIssue, syncDriftIssue, syncPlanLabels, upsertPlanComments,
} from '../../tools/github';
import { marker } from '../../tools/plan-report';

interface FakeState {
  comments?: Array<{ id: number; body: string }>;
  issues?: Array<{ number: number; title: string }>;
  pr?: { author: string; labels: string[] };
  /** Completed pull request runs by head sha, newest first, with their jobs' conclusions. */
  runs?: Record<string, Array<{ id: number; jobs: Record<string, string> }>>;
  timeline?: TimelineEvent[];
  /** Deployments of each environment, newest first, with their latest status. */
  deployments?: Record<string, Array<{ sha: string; state?: string }>>;
}

/** A fake GitHub holding comments, issues, one PR and deployments in memory, recording every call. */
function fakeGitHub(comments: Array<{ id: number; body: string }> = [], issues: Array<{ number: number; title: string }> = [], state: FakeState = {}) {
  const calls: string[] = [];
  let next = 1000;
  const pr = state.pr ?? { author: 'dev', labels: [] };
  const deployments = Object.entries(state.deployments ?? {}).flatMap(([environment, list]) => list.map((d, i) => ({ environment, id: i + 1 + environment.length * 100, ...d })));
  const github: GitHubClient = {
    rest: {
      issues: {
        listComments: async ({ page = 1 }) => ({ data: comments.slice((page - 1) * 100, page * 100) }),
        createComment: async ({ body }) => { calls.push(`create: ${body.split('\n')[0]}`); comments.push({ id: next++, body }); },
        updateComment: async ({ comment_id, body }) => { calls.push(`update ${comment_id}: ${body.split('\n')[0]}`); },
        deleteComment: async ({ comment_id }) => { calls.push(`delete ${comment_id}`); },
        listForRepo: async () => ({ data: issues }),
        create: async ({ title, labels }) => { calls.push(`open issue "${title}" ${labels.join(',')}`); },
        update: async ({ issue_number, state }) => { calls.push(`update issue ${issue_number}${state ? ` ${state}` : ''}`); },
        listEventsForTimeline: async ({ page = 1 }) => ({ data: (state.timeline ?? []).slice((page - 1) * 100, page * 100) }),
        addLabels: async ({ labels }) => { calls.push(`add labels ${labels.join(',')}`); pr.labels.push(...labels); },
        removeLabel: async ({ name }) => { calls.push(`remove label ${name}`); pr.labels = pr.labels.filter((l) => l !== name); },
      },
      pulls: { get: async () => ({ data: { user: { login: pr.author }, labels: pr.labels.map((name) => ({ name })), head: { sha: 'headsha' } } }) },
      actions: {
        listWorkflowRuns: async ({ head_sha, workflow_id, event, status }) => {
          calls.push(`runs ${workflow_id} ${head_sha} ${event} ${status}`);
          return { data: { workflow_runs: (state.runs?.[head_sha] ?? []).map(({ id }) => ({ id })) } };
        },
        listJobsForWorkflowRun: async ({ run_id }) => {
          calls.push(`jobs of ${run_id}`);
          const run = Object.values(state.runs ?? {}).flat().find((r) => r.id === run_id);
          return { data: { jobs: Object.entries(run?.jobs ?? {}).map(([name, conclusion]) => ({ name, conclusion })) } };
        },
      },
      repos: {
        listPullRequestsAssociatedWithCommit: async () => ({ data: [{ number: 7, merged_at: null }, { number: 42, merged_at: '2026-11-22T00:00:00Z' }] }),
        listDeployments: async ({ environment, per_page }) => ({ data: deployments.filter((d) => d.environment === environment).slice(0, per_page) }),
        listDeploymentStatuses: async ({ deployment_id }) => {
          calls.push(`statuses ${deployment_id}`);
          const d = deployments.find((x) => x.id === deployment_id);
          return { data: d?.state ? [{ state: d.state }] : [] };
        },
      },
    },
  };
  return { github, calls };
}
const repo = { owner: 'example-co', repo: 'infrastructure' };
const body = (stack: string, part: number) => `${marker(stack, part)}\nplan`;

describe('plan comments', () => {
  it('creates one comment per part the first time', async () => {
    const { github, calls } = fakeGitHub();
    await upsertPlanComments(github, repo, 5, 'production', [body('production', 1), body('production', 2)]);
    expect(calls).toEqual([`create: ${marker('production', 1)}`, `create: ${marker('production', 2)}`]);
  });

  it('updates its own comments in place, leaves other stacks alone, and deletes parts no longer needed', async () => {
    const { github, calls } = fakeGitHub([
      { id: 1, body: body('production', 1) },
      { id: 2, body: body('staging', 1) },
      { id: 3, body: body('production', 2) },
      { id: 4, body: 'a human comment' },
    ]);
    await upsertPlanComments(github, repo, 5, 'production', [body('production', 1)]);
    expect(calls).toEqual([`update 1: ${marker('production', 1)}`, 'delete 3']);
  });
});

describe('apply result', () => {
  it('comments on the merged PR of the commit', async () => {
    const { github, calls } = fakeGitHub();
    expect(await commentApplyResult(github, repo, 'abc', 'applied')).toBe(42);
    expect(calls).toEqual(['create: applied']);
  });
});

describe('drift issues', () => {
  it('opens an issue when drift appears', async () => {
    const { github, calls } = fakeGitHub();
    expect(await syncDriftIssue(github, repo, 'production', { state: 'drifted', report: 'report' }, 'run')).toBe('opened');
    expect(calls).toEqual(['open issue "Drift in production" drift']);
  });

  it('updates the open issue while drift lasts', async () => {
    const { github, calls } = fakeGitHub([], [{ number: 9, title: driftTitle('production') }]);
    expect(await syncDriftIssue(github, repo, 'production', { state: 'drifted', report: 'report' }, 'run')).toBe('updated');
    expect(calls).toEqual(['update issue 9']);
  });

  it('closes it, with a comment, when the drift is gone', async () => {
    const { github, calls } = fakeGitHub([], [{ number: 9, title: driftTitle('production') }]);
    expect(await syncDriftIssue(github, repo, 'production', { state: 'clean' }, 'run')).toBe('closed');
    expect(calls).toEqual(['create: No drift in the plan of run: closing.', 'update issue 9 closed']);
  });

  it('does nothing when there is neither drift nor an issue, and ignores other stacks\' issues', async () => {
    const { github, calls } = fakeGitHub([], [{ number: 9, title: driftTitle('staging') }]);
    expect(await syncDriftIssue(github, repo, 'production', { state: 'clean' }, 'run')).toBe('none');
    expect(calls).toEqual([]);
  });
});

describe('drift plan errors', () => {
  it('opens (or updates) the drift issue with the error when the drift plan fails: drift is unknown', async () => {
    const { github, calls } = fakeGitHub();
    expect(await syncDriftIssue(github, repo, 'production', { state: 'error', error: 'Error: AccessDenied' }, 'run')).toBe('opened');
    expect(calls).toEqual(['open issue "Drift in production" drift']);
    const open = fakeGitHub([], [{ number: 9, title: driftTitle('production') }]);
    expect(await syncDriftIssue(open.github, repo, 'production', { state: 'error', error: 'Error: AccessDenied' }, 'run')).toBe('updated');
  });
});

describe('failed-apply issues', () => {
  it('opens one when an apply fails, with the end of the error and how to retry', async () => {
    const created: string[] = [];
    const { github, calls } = fakeGitHub();
    const create = github.rest.issues.create;
    github.rest.issues.create = async (p) => { created.push(p.body); return create(p); };
    expect(await syncApplyIssue(github, repo, 'production', 'a'.repeat(40), `line\n${'x\n'.repeat(100)}Error: timeout`, 'run')).toBe('opened');
    expect(calls).toEqual(['open issue "Apply failed in production" apply-failed']);
    expect(created[0]).toContain('Error: timeout');
    expect(created[0]).toContain('Run workflow');
    expect(created[0]).not.toContain('line\n'); // only the last 60 lines
  });

  it('closes it when an apply of that stack succeeds, and leaves other stacks alone', async () => {
    const { github, calls } = fakeGitHub([], [{ number: 3, title: applyFailedTitle('production') }, { number: 4, title: applyFailedTitle('staging') }]);
    expect(await syncApplyIssue(github, repo, 'production', 'b'.repeat(40), undefined, 'run')).toBe('closed');
    expect(calls).toEqual([`create: Applied successfully at \`${'b'.repeat(12)}\` in run: closing.`, 'update issue 3 closed']);
  });
});

describe('failed plans and stale comments', () => {
  it('replaces the stack\'s plan comments by one saying the plan failed, with the error', async () => {
    const { github, calls } = fakeGitHub([{ id: 1, body: body('production', 1) }, { id: 2, body: body('production', 2) }]);
    const error = planErrorBody('production', 'c'.repeat(40), 'Error: No valid credential sources found', 'run');
    await upsertPlanComments(github, repo, 5, 'production', [error]);
    expect(calls).toEqual([`update 1: ${marker('production', 1)}`, 'delete 2']);
    expect(error).toContain('❌ Plan for `production` failed');
    expect(error).toContain('Error: No valid credential sources found');
  });

  it('deletes the comments of stacks the PR no longer affects, and nothing else', async () => {
    const { github, calls } = fakeGitHub([
      { id: 1, body: body('production', 1) },
      { id: 2, body: body('staging', 1) },
      { id: 3, body: body('staging', 2) },
      { id: 4, body: 'a human comment mentioning <!-- cdktf-plan stack=staging part=1 -->' },
    ]);
    expect(await removeStaleComments(github, repo, 5, ['production'])).toEqual(['staging']);
    expect(calls).toEqual(['delete 2', 'delete 3']);
  });
});

describe('plan labels (plan-report --labels-out, one file per stack)', () => {
  it('merges the stacks\' labels: no-changes only when every stack has none, a missing file is an error, a removed stack has none', () => {
    const merge = (labels: Record<string, string[] | undefined>, removed: string[] = []) =>
      mergePlanLabels([...Object.keys(labels).map((stack) => ({ stack, status: 'changed' })), ...removed.map((stack) => ({ stack, status: 'removed' }))], (s) => labels[s]);
    expect(merge({ a: ['plan:no-changes'], b: ['plan:no-changes'] })).toEqual(['plan:no-changes']);
    expect(merge({ a: ['plan:no-changes'], b: ['plan:changes'] })).toEqual(['plan:changes']);
    expect(merge({ a: ['plan:changes', 'plan:destroy'], b: undefined })).toEqual(['plan:error', 'plan:destroy', 'plan:changes']);
    expect(merge({ a: ['plan:changes', 'not-ours'] }, ['old'])).toEqual(['plan:changes']);
  });

  it('sets exactly those plan:* labels and leaves the others', async () => {
    const { github, calls } = fakeGitHub([], [], { pr: { author: 'dev', labels: ['plan:destroy', 'team:web', 'plan:changes'] } });
    await syncPlanLabels(github, repo, 5, ['plan:changes', 'plan:error']);
    expect(calls).toEqual(['remove label plan:destroy', 'add labels plan:error']);
  });
});

describe('allow-destroy on the PR', () => {
  it('is removed on a push, so it never outlives the code it approved', async () => {
    const { github, calls } = fakeGitHub([], [], { pr: { author: 'dev', labels: ['allow-destroy', 'plan:destroy'] } });
    expect(await removeStaleApproval(github, repo, 5)).toBe(true);
    expect(calls).toEqual(['remove label allow-destroy']);
    expect(await removeStaleApproval(github, repo, 5)).toBe(false);
  });

  it('counts when a reviewer added it after the latest push, read from the PR and its timeline', async () => {
    const timeline: TimelineEvent[] = [{ event: 'committed' }, { event: 'labeled', label: { name: 'allow-destroy' }, actor: { login: 'sre' } }];
    const { github } = fakeGitHub([], [], { pr: { author: 'dev', labels: ['allow-destroy'] }, timeline });
    expect(await destroyApprovalOf(github, repo, 5)).toEqual({ allowed: true, reason: 'allow-destroy added by sre after the latest push' });
  });

  it('reads every page of a long timeline', async () => {
    const timeline: TimelineEvent[] = [...Array.from({ length: 150 }, () => ({ event: 'commented' })), { event: 'labeled', label: { name: 'allow-destroy' }, actor: { login: 'dev' } }];
    const { github } = fakeGitHub([], [], { pr: { author: 'dev', labels: ['allow-destroy'] }, timeline });
    expect((await destroyApprovalOf(github, repo, 5)).allowed).toBe(false);
  });
});

describe('merge queue', () => {
  it('finds the PR of a merge group from its branch name', () => {
    expect(pullRequestOfMergeGroup(`gh-readonly-queue/main/pr-123-${'d'.repeat(40)}`)).toBe(123);
    expect(pullRequestOfMergeGroup(`refs/heads/gh-readonly-queue/main/pr-7-${'e'.repeat(40)}`)).toBe(7);
    expect(() => pullRequestOfMergeGroup('feature/x')).toThrow('merge_group head_ref "feature/x": expected gh-readonly-queue/<base>/pr-<number>-<sha>');
  });
});

describe('last applied commit per stack (GitHub environment deployments)', () => {
  it('is the newest deployment whose latest status is success: failed and in-progress ones are skipped', async () => {
    const { github } = fakeGitHub([], [], {
      deployments: { production: [{ sha: 'new', state: 'failure' }, { sha: 'running' }, { sha: 'good', state: 'success' }, { sha: 'older', state: 'success' }], staging: [{ sha: 'stg', state: 'success' }] },
    });
    expect(await lastAppliedCommit(github, repo, 'production')).toBe('good');
    expect(await lastAppliedCommits(github, repo, ['production', 'staging', 'sandbox'])).toEqual({ production: 'good', staging: 'stg', sandbox: '' });
  });
});

describe('the plan reviewed on the merged pull request', () => {
  it('is the newest completed pull_request run of the PR\'s last head commit whose required job passed', async () => {
    const ok = { 'Required checks': 'success' };
    const { github, calls } = fakeGitHub([], [], { runs: { headsha: [{ id: 99, jobs: ok }, { id: 98, jobs: ok }] } });
    expect(await reviewedPlanRun(github, repo, 'merged')).toEqual({ pr: 42, runId: 99 });
    expect(calls).toEqual(['runs pull-request.yml headsha pull_request completed', 'jobs of 99']);
  });

  // The falco job fails on every run until .github/falco.sha256 is set, and it and the
  // labels job sit outside the required check (pull-request.yml): the run's conclusion is
  // then "failure" though the PR merged on its plans. Filtering on a successful run found
  // none, and every merged PR's apply stopped for want of a reviewed plan.
  it('counts a run whose advisory jobs failed, not one whose required job failed', async () => {
    const { github } = fakeGitHub([], [], {
      runs: {
        headsha: [
          { id: 99, jobs: { 'Required checks': 'failure', 'Lint VCL with falco': 'failure' } },
          { id: 98, jobs: { 'Required checks': 'success', 'Lint VCL with falco': 'failure', 'Plan labels and stale comments': 'failure' } },
        ],
      },
    });
    expect(await reviewedPlanRun(github, repo, 'merged')).toEqual({ pr: 42, runId: 98 });
  });

  it('is undefined when that commit was never planned successfully', async () => {
    const { github } = fakeGitHub();
    expect(await reviewedPlanRun(github, repo, 'merged')).toBeUndefined();
  });
});

describe('bodies built for the workflows', () => {
  it('the apply result says applied or failed, with the outcome and the plan folded', () => {
    expect(applyResultBody('production', 'a'.repeat(40), 'success', 'PLAN', 'run')).toBe(`✅ \`production\` was applied at \`${'a'.repeat(12)}\`: run\n\n<details><summary>What was planned</summary>\n\nPLAN\n\n</details>`);
    expect(applyResultBody('production', 'a'.repeat(40), 'failure', '', 'run')).toMatch(/^❌ `production` failed to apply \(failure\)/);
    expect(applyResultBody('production', 'a'.repeat(40), '', '', 'run')).toContain('failed to apply (stopped before the apply)');
    expect(applyResultBody('production', 'a'.repeat(40), 'success', 'x'.repeat(70000), 'run').length).toBe(65000);
  });

  it('the drift result is drifted, clean, or an error when the plan never got to the drift check', () => {
    expect(driftResultOf('true', 'REPORT', 'log')).toEqual({ state: 'drifted', report: 'REPORT' });
    expect(driftResultOf('false', undefined, 'log')).toEqual({ state: 'clean' });
    expect(driftResultOf('', undefined, 'Error: AccessDenied')).toEqual({ state: 'error', error: 'Error: AccessDenied' });
    expect(driftResultOf('', undefined, undefined)).toEqual({ state: 'error', error: 'The plan did not start (credentials?): see the run.' });
  });
});
