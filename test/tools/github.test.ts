import { GitHubClient, commentApplyResult, driftTitle, syncDriftIssue, upsertPlanComments } from '../../tools/github';
import { marker } from '../../tools/plan-report';

/** A fake GitHub holding comments and issues in memory, recording every call. */
function fakeGitHub(comments: Array<{ id: number; body: string }> = [], issues: Array<{ number: number; title: string }> = []) {
  const calls: string[] = [];
  let next = 1000;
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
      },
      repos: { listPullRequestsAssociatedWithCommit: async () => ({ data: [{ number: 7, merged_at: null }, { number: 42, merged_at: '2026-11-22T00:00:00Z' }] }) },
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
    expect(await syncDriftIssue(github, repo, 'production', true, 'report', 'run')).toBe('opened');
    expect(calls).toEqual(['open issue "Drift in production" drift']);
  });

  it('updates the open issue while drift lasts', async () => {
    const { github, calls } = fakeGitHub([], [{ number: 9, title: driftTitle('production') }]);
    expect(await syncDriftIssue(github, repo, 'production', true, 'report', 'run')).toBe('updated');
    expect(calls).toEqual(['update issue 9']);
  });

  it('closes it, with a comment, when the drift is gone', async () => {
    const { github, calls } = fakeGitHub([], [{ number: 9, title: driftTitle('production') }]);
    expect(await syncDriftIssue(github, repo, 'production', false, '', 'run')).toBe('closed');
    expect(calls).toEqual(['create: No drift in the plan of run: closing.', 'update issue 9 closed']);
  });

  it('does nothing when there is neither drift nor an issue, and ignores other stacks\' issues', async () => {
    const { github, calls } = fakeGitHub([], [{ number: 9, title: driftTitle('staging') }]);
    expect(await syncDriftIssue(github, repo, 'production', false, '', 'run')).toBe('none');
    expect(calls).toEqual([]);
  });
});
