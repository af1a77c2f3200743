/**
 * GitHub side of CI, run from actions/github-script: keep one plan comment per stack up
 * to date on a PR (or say that the plan failed, and drop the comments of stacks no longer
 * affected), label the PR with the plan's outcome, decide whether `allow-destroy` counts,
 * find the last applied commit of each stack, comment apply results, and keep one drift
 * issue and one failed-apply issue per stack.
 * The client is typed to the few REST calls used, so tests can pass a fake.
 */
import { ALLOW_DESTROY, Approval, TimelineEvent, destroyApproval } from './destroy-approval';
import { marker } from './plan-report';

interface Comment {
  readonly id: number;
  readonly body?: string;
}
interface Issue {
  readonly number: number;
  readonly title: string;
  readonly state?: string;
}

export interface GitHubClient {
  rest: {
    issues: {
      listComments(p: { owner: string; repo: string; issue_number: number; per_page: number; page?: number }): Promise<{ data: Comment[] }>;
      createComment(p: { owner: string; repo: string; issue_number: number; body: string }): Promise<unknown>;
      updateComment(p: { owner: string; repo: string; comment_id: number; body: string }): Promise<unknown>;
      deleteComment(p: { owner: string; repo: string; comment_id: number }): Promise<unknown>;
      listForRepo(p: { owner: string; repo: string; state: 'open'; labels: string; per_page: number }): Promise<{ data: Issue[] }>;
      create(p: { owner: string; repo: string; title: string; body: string; labels: string[] }): Promise<unknown>;
      update(p: { owner: string; repo: string; issue_number: number; body?: string; state?: 'closed' }): Promise<unknown>;
      listEventsForTimeline(p: { owner: string; repo: string; issue_number: number; per_page: number; page?: number }): Promise<{ data: TimelineEvent[] }>;
      addLabels(p: { owner: string; repo: string; issue_number: number; labels: string[] }): Promise<unknown>;
      removeLabel(p: { owner: string; repo: string; issue_number: number; name: string }): Promise<unknown>;
    };
    pulls: {
      get(p: { owner: string; repo: string; pull_number: number }): Promise<{ data: { user: { login: string } | null; labels: Array<{ name?: string }>; head: { sha: string } } }>;
    };
    actions: {
      listWorkflowRuns(p: { owner: string; repo: string; workflow_id: string; head_sha: string; event: string; status: 'completed'; per_page: number }): Promise<{ data: { workflow_runs: Array<{ id: number }> } }>;
      listJobsForWorkflowRun(p: { owner: string; repo: string; run_id: number; filter: 'latest'; per_page: number }): Promise<{ data: { jobs: Array<{ name: string; conclusion: string | null }> } }>;
    };
    repos: {
      listPullRequestsAssociatedWithCommit(p: { owner: string; repo: string; commit_sha: string }): Promise<{ data: Array<{ number: number; merged_at: string | null }> }>;
      listDeployments(p: { owner: string; repo: string; environment: string; per_page: number }): Promise<{ data: Array<{ id: number; sha: string }> }>;
      listDeploymentStatuses(p: { owner: string; repo: string; deployment_id: number; per_page: number }): Promise<{ data: Array<{ state: string }> }>;
    };
  };
}

export interface Repo {
  readonly owner: string;
  readonly repo: string;
}

/** The marker prefix every plan comment of a stack starts with (see plan-report). */
const stackMarker = (stack: string) => `<!-- cdktf-plan stack=${stack} part=`;

async function allComments(github: GitHubClient, repo: Repo, issue: number): Promise<Comment[]> {
  const out: Comment[] = [];
  for (let page = 1; ; page++) {
    const { data } = await github.rest.issues.listComments({ ...repo, issue_number: issue, per_page: 100, page });
    out.push(...data);
    if (data.length < 100) return out;
  }
}

/**
 * Puts the stack's plan comments on the PR, updating the previous ones in place (found by
 * their marker) and deleting parts the new plan no longer needs.
 */
export async function upsertPlanComments(github: GitHubClient, repo: Repo, issue: number, stack: string, bodies: readonly string[]): Promise<void> {
  const existing = (await allComments(github, repo, issue)).filter((c) => c.body?.startsWith(stackMarker(stack)));
  const partOf = (c: Comment) => Number(/part=(\d+)/.exec(c.body ?? '')?.[1] ?? 0);
  for (const [i, body] of bodies.entries()) {
    const old = existing.find((c) => partOf(c) === i + 1);
    if (old) await github.rest.issues.updateComment({ ...repo, comment_id: old.id, body });
    else await github.rest.issues.createComment({ ...repo, issue_number: issue, body });
  }
  for (const c of existing.filter((c) => partOf(c) > bodies.length)) await github.rest.issues.deleteComment({ ...repo, comment_id: c.id });
}

/** The stack a plan comment belongs to, from its marker; undefined for other comments. */
const stackOf = (c: Comment) => /^<!-- cdktf-plan stack=(\S+) part=/.exec(c.body ?? '')?.[1];

/**
 * Deletes the plan comments of stacks that are no longer affected by the PR (a later
 * push reverted their change), so no stale plan stays on the PR. Returns the stacks cleared.
 */
export async function removeStaleComments(github: GitHubClient, repo: Repo, issue: number, affected: readonly string[]): Promise<string[]> {
  const stale = (await allComments(github, repo, issue)).filter((c) => stackOf(c) !== undefined && !affected.includes(stackOf(c) as string));
  for (const c of stale) await github.rest.issues.deleteComment({ ...repo, comment_id: c.id });
  return [...new Set(stale.map((c) => stackOf(c) as string))].sort();
}

/** The last lines of a failed command's output (where Terraform prints the error), fenced. */
export function errorBlock(output: string): string {
  const tail = output.trim().split('\n').slice(-60).join('\n').slice(-20000).replaceAll('```', "'''");
  return `\`\`\`\n${tail || '(no output)'}\n\`\`\`\n`;
}

/** The comment that replaces a stack's plan comments when its plan failed. */
export function planErrorBody(stack: string, commit: string, error: string, runUrl: string): string {
  return `${marker(stack, 1)}\n### ❌ Plan for \`${stack}\` failed at \`${commit.slice(0, 12)}\`\n\nNo plan to review: the check fails until a plan succeeds. Run: ${runUrl}\n\n${errorBlock(error)}`;
}

/** The labels plan-report writes (`--labels-out`) that this workflow owns on the PR. */
const PLAN_LABEL = /^plan:/;
const PLAN_LABEL_ORDER = ['plan:error', 'plan:destroy', 'plan:changes', 'plan:no-changes'];

/**
 * The PR's plan labels from each planned stack's labels: every label any stack reported,
 * except `plan:no-changes`, which holds only when no stack has anything else to say. A
 * stack that wrote no labels (its plan job failed before the report) counts as an error;
 * a removed stack is not planned and has none.
 */
export function mergePlanLabels(stacks: ReadonlyArray<{ readonly stack: string; readonly status?: string }>, labelsOf: (stack: string) => readonly string[] | undefined): string[] {
  const planned = stacks.filter((s) => s.status !== 'removed');
  const all = new Set(planned.flatMap((s) => labelsOf(s.stack) ?? ['plan:error']).filter((l) => PLAN_LABEL.test(l)));
  if ([...all].some((l) => l !== 'plan:no-changes')) all.delete('plan:no-changes');
  return [...all].sort((a, b) => PLAN_LABEL_ORDER.indexOf(a) - PLAN_LABEL_ORDER.indexOf(b));
}

/** Sets exactly `labels` among the PR's `plan:*` labels, leaving other labels alone. */
export async function syncPlanLabels(github: GitHubClient, repo: Repo, pr: number, labels: readonly string[]): Promise<void> {
  const { data } = await github.rest.pulls.get({ ...repo, pull_number: pr });
  const current = data.labels.map((l) => l.name ?? '').filter((l) => PLAN_LABEL.test(l));
  for (const name of current.filter((l) => !labels.includes(l))) await github.rest.issues.removeLabel({ ...repo, issue_number: pr, name });
  const missing = labels.filter((l) => !current.includes(l));
  if (missing.length > 0) await github.rest.issues.addLabels({ ...repo, issue_number: pr, labels: missing });
}

/** Removes `allow-destroy` from the PR: run on every push, so an approval never outlives the code it approved. */
export async function removeStaleApproval(github: GitHubClient, repo: Repo, pr: number): Promise<boolean> {
  const { data } = await github.rest.pulls.get({ ...repo, pull_number: pr });
  if (!data.labels.some((l) => l.name === ALLOW_DESTROY)) return false;
  await github.rest.issues.removeLabel({ ...repo, issue_number: pr, name: ALLOW_DESTROY });
  return true;
}

/** Whether the PR's `allow-destroy` counts now (see destroy-approval). */
export async function destroyApprovalOf(github: GitHubClient, repo: Repo, pr: number): Promise<Approval> {
  const { data } = await github.rest.pulls.get({ ...repo, pull_number: pr });
  const timeline: TimelineEvent[] = [];
  for (let page = 1; ; page++) {
    const { data: events } = await github.rest.issues.listEventsForTimeline({ ...repo, issue_number: pr, per_page: 100, page });
    timeline.push(...events);
    if (events.length < 100) break;
  }
  return destroyApproval(data.user?.login ?? '', data.labels.map((l) => l.name ?? ''), timeline);
}

/** The pull request merged as `sha` (the one GitHub associates with the commit), if any. */
export async function mergedPullRequestOf(github: GitHubClient, repo: Repo, sha: string): Promise<number | undefined> {
  const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha });
  return (data.find((p) => p.merged_at !== null) ?? data[0])?.number;
}

/**
 * The pull request a merge queue group was made for: GitHub names the group's branch
 * `gh-readonly-queue/<base>/pr-<number>-<sha>`.
 */
export function pullRequestOfMergeGroup(headRef: string): number {
  const match = /^(?:refs\/heads\/)?gh-readonly-queue\/.+\/pr-(\d+)-[0-9a-f]{40}$/.exec(headRef);
  if (!match) throw new Error(`merge_group head_ref "${headRef}": expected gh-readonly-queue/<base>/pr-<number>-<sha>`);
  return Number(match[1]);
}

/** The workflow whose plan comments the reviewers read. */
export const PULL_REQUEST_WORKFLOW = 'pull-request.yml';
/** The name of its aggregate job, the one check branch protection requires. */
export const REQUIRED_JOB = 'Required checks';
/** How many completed pull_request runs of the PR's head are searched. */
const RUN_LOOKBACK = 20;

/**
 * The run whose plans were reviewed on the pull request merged as `sha`: the newest
 * completed pull_request run of the PR's last head commit (the one whose comments were on
 * the PR at merge) whose required job passed. Not the newest successful run: jobs outside
 * the required check (the advisory falco lint, labels and stale comments) fail a run's
 * conclusion without blocking the merge, and such a run's plans were still the ones reviewed.
 * Undefined when there is no such PR or run.
 */
export async function reviewedPlanRun(github: GitHubClient, repo: Repo, sha: string): Promise<{ pr: number; runId: number } | undefined> {
  const pr = await mergedPullRequestOf(github, repo, sha);
  if (pr === undefined) return undefined;
  const { data } = await github.rest.pulls.get({ ...repo, pull_number: pr });
  const { data: runs } = await github.rest.actions.listWorkflowRuns({ ...repo, workflow_id: PULL_REQUEST_WORKFLOW, head_sha: data.head.sha, event: 'pull_request', status: 'completed', per_page: RUN_LOOKBACK });
  for (const run of runs.workflow_runs) {
    const { data: jobs } = await github.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: run.id, filter: 'latest', per_page: 100 });
    if (jobs.jobs.some((j) => j.name === REQUIRED_JOB && j.conclusion === 'success')) return { pr, runId: run.id };
  }
  return undefined;
}

/** The comment on the merged PR for one stack's apply: `outcome` is the apply step's outcome ('' when it did not run). */
export function applyResultBody(stack: string, sha: string, outcome: string, plan: string, runUrl: string): string {
  const ok = outcome === 'success';
  const status = ok ? 'was applied' : `failed to apply (${outcome || 'stopped before the apply'})`;
  const body = `${ok ? '✅' : '❌'} \`${stack}\` ${status} at \`${sha.slice(0, 12)}\`: ${runUrl}\n\n<details><summary>What was planned</summary>\n\n${plan}\n\n</details>`;
  return body.slice(0, 65000);
}

/** Comments the apply result on the PR that was merged as `sha`; returns its number. */
export async function commentApplyResult(github: GitHubClient, repo: Repo, sha: string, body: string): Promise<number | undefined> {
  const pr = await mergedPullRequestOf(github, repo, sha);
  if (pr === undefined) return undefined;
  await github.rest.issues.createComment({ ...repo, issue_number: pr, body });
  return pr;
}

/** How many past deployments of a stack are searched for the last successful one. */
const DEPLOYMENT_LOOKBACK = 30;

/**
 * The last commit applied successfully to a stack: the newest deployment of its GitHub
 * environment (the apply job runs in it, and GitHub records the job's result as the
 * deployment status) whose latest status is success. Undefined when there is none, so
 * the next apply plans the stack in full. A failed or cancelled apply leaves it where it
 * was, so the next run retries that change.
 */
export async function lastAppliedCommit(github: GitHubClient, repo: Repo, stack: string): Promise<string | undefined> {
  const { data } = await github.rest.repos.listDeployments({ ...repo, environment: stack, per_page: DEPLOYMENT_LOOKBACK });
  for (const deployment of data) {
    const { data: statuses } = await github.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: deployment.id, per_page: 1 });
    if (statuses[0]?.state === 'success') return deployment.sha;
  }
  return undefined;
}

/** lastAppliedCommit for each stack, as {stack: sha or ""}. */
export async function lastAppliedCommits(github: GitHubClient, repo: Repo, stacks: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const stack of stacks) out[stack] = (await lastAppliedCommit(github, repo, stack)) ?? '';
  return out;
}

export type IssueResult = 'opened' | 'updated' | 'closed' | 'none';

/**
 * One open issue per (label, title): opened with `body` when `body` is given and none is
 * open, updated while it stays open, closed with `closing` as a comment when `body` is
 * undefined (the problem is gone).
 */
async function syncIssue(github: GitHubClient, repo: Repo, label: string, title: string, body: string | undefined, closing: string): Promise<IssueResult> {
  const { data } = await github.rest.issues.listForRepo({ ...repo, state: 'open', labels: label, per_page: 100 });
  const open = data.find((i) => i.title === title);
  if (body !== undefined && open) {
    await github.rest.issues.update({ ...repo, issue_number: open.number, body });
    return 'updated';
  }
  if (body !== undefined) {
    await github.rest.issues.create({ ...repo, title, body, labels: [label] });
    return 'opened';
  }
  if (open) {
    await github.rest.issues.createComment({ ...repo, issue_number: open.number, body: closing });
    await github.rest.issues.update({ ...repo, issue_number: open.number, state: 'closed' });
    return 'closed';
  }
  return 'none';
}

export const DRIFT_LABEL = 'drift';
export const driftTitle = (stack: string) => `Drift in ${stack}`;

/** The outcome of a drift plan: drifted (report), clean, or failed (error output). */
export type DriftResult = { readonly state: 'drifted'; readonly report: string } | { readonly state: 'clean' } | { readonly state: 'error'; readonly error: string };

/**
 * The drift result from the drift job: `drifted` is plan-summary drift's output ("true",
 * "false", or empty when the plan failed before it), `report` the rendered plan and
 * `log` terraform's output.
 */
export function driftResultOf(drifted: string, report: string | undefined, log: string | undefined): DriftResult {
  if (drifted === 'true') return { state: 'drifted', report: (report ?? '(no report)').slice(0, 60000) };
  if (drifted === 'false') return { state: 'clean' };
  return { state: 'error', error: log ?? 'The plan did not start (credentials?): see the run.' };
}

/**
 * One issue per stack: opened when drift appears or when the drift plan itself fails (a
 * stack nobody can plan is not known to be drift-free), updated while that lasts, closed
 * (with a comment) when a plan succeeds and shows none.
 */
export async function syncDriftIssue(github: GitHubClient, repo: Repo, stack: string, result: DriftResult, runUrl: string): Promise<IssueResult> {
  const footer = 'This issue closes itself when a plan succeeds and shows no drift.';
  const body =
    result.state === 'drifted'
      ? `The daily plan of \`${stack}\` found changes made outside this repository (run: ${runUrl}).\n\nReconcile by changing the code to match, or by applying main again. ${footer}\n\n${result.report}`
      : result.state === 'error'
        ? `The daily plan of \`${stack}\` **failed** (run: ${runUrl}), so drift is unknown.\n\n${footer}\n\n${errorBlock(result.error)}`
        : undefined;
  return syncIssue(github, repo, DRIFT_LABEL, driftTitle(stack), body, `No drift in the plan of ${runUrl}: closing.`);
}

export const APPLY_FAILED_LABEL = 'apply-failed';
export const applyFailedTitle = (stack: string) => `Apply failed in ${stack}`;

/**
 * One issue per stack whose apply failed: opened (or updated) on failure, closed when an
 * apply of the stack succeeds. `error` is undefined on success.
 */
export async function syncApplyIssue(github: GitHubClient, repo: Repo, stack: string, commit: string, error: string | undefined, runUrl: string): Promise<IssueResult> {
  const body =
    error === undefined
      ? undefined
      : `The apply of \`${stack}\` at \`${commit.slice(0, 12)}\` failed (run: ${runUrl}). The next push to main, or a re-apply (Actions → Apply → Run workflow, stack \`${stack}\`), retries every change since the last successful apply. If the state lock is held, see README "Releasing a state lock".\n\n${errorBlock(error)}`;
  return syncIssue(github, repo, APPLY_FAILED_LABEL, applyFailedTitle(stack), body, `Applied successfully at \`${commit.slice(0, 12)}\` in ${runUrl}: closing.`);
}
