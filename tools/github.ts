/**
 * GitHub side of CI, run from actions/github-script: keep one plan comment per stack up
 * to date on a PR, comment apply results, and keep one drift issue per stack.
 * The client is typed to the few REST calls used, so tests can pass a fake.
 */

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
    };
    repos: {
      listPullRequestsAssociatedWithCommit(p: { owner: string; repo: string; commit_sha: string }): Promise<{ data: Array<{ number: number; merged_at: string | null }> }>;
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

/** Comments the apply result on the PR that was merged as `sha`; returns its number. */
export async function commentApplyResult(github: GitHubClient, repo: Repo, sha: string, body: string): Promise<number | undefined> {
  const { data } = await github.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha });
  const pr = data.find((p) => p.merged_at !== null) ?? data[0];
  if (!pr) return undefined;
  await github.rest.issues.createComment({ ...repo, issue_number: pr.number, body });
  return pr.number;
}

export const DRIFT_LABEL = 'drift';
export const driftTitle = (stack: string) => `Drift in ${stack}`;

/**
 * One issue per drifted stack: opened when drift appears, updated while it lasts, closed
 * (with a comment) when a plan shows none. `report` is the plan report while drifted.
 */
export async function syncDriftIssue(github: GitHubClient, repo: Repo, stack: string, drifted: boolean, report: string, runUrl: string): Promise<'opened' | 'updated' | 'closed' | 'none'> {
  const { data } = await github.rest.issues.listForRepo({ ...repo, state: 'open', labels: DRIFT_LABEL, per_page: 100 });
  const open = data.find((i) => i.title === driftTitle(stack));
  const body = `The daily plan of \`${stack}\` found changes made outside this repository (run: ${runUrl}).\n\nReconcile by changing the code to match, or by applying main again. This issue closes itself when a plan shows no drift.\n\n${report}`;
  if (drifted && open) {
    await github.rest.issues.update({ ...repo, issue_number: open.number, body });
    return 'updated';
  }
  if (drifted) {
    await github.rest.issues.create({ ...repo, title: driftTitle(stack), body, labels: [DRIFT_LABEL] });
    return 'opened';
  }
  if (open) {
    await github.rest.issues.createComment({ ...repo, issue_number: open.number, body: `No drift in the plan of ${runUrl}: closing.` });
    await github.rest.issues.update({ ...repo, issue_number: open.number, state: 'closed' });
    return 'closed';
  }
  return 'none';
}
