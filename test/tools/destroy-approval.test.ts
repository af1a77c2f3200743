import { TimelineEvent, destroyApproval } from '../../tools/destroy-approval';

const labeled = (login: string, name = 'allow-destroy'): TimelineEvent => ({ event: 'labeled', label: { name }, actor: { login } });
const push: TimelineEvent = { event: 'committed' };

describe('allow-destroy counts only after the latest push, from someone other than the author', () => {
  it('counts when a reviewer adds it after the latest push', () => {
    expect(destroyApproval('dev', ['allow-destroy'], [push, labeled('sre')])).toEqual({ allowed: true, reason: 'allow-destroy added by sre after the latest push' });
  });

  it('does not count without the label, even if it was added once', () => {
    expect(destroyApproval('dev', [], [push, labeled('sre'), { event: 'unlabeled', label: { name: 'allow-destroy' } }]).allowed).toBe(false);
  });

  it('does not count when the author added it', () => {
    expect(destroyApproval('dev', ['allow-destroy'], [push, labeled('sre'), labeled('dev')]).reason).toBe('allow-destroy was added by the author (dev); another person must add it');
  });

  it('does not count when a bot added it', () => {
    expect(destroyApproval('dev', ['allow-destroy'], [push, labeled('renovate[bot]')]).allowed).toBe(false);
  });

  it('does not survive a later push or force-push', () => {
    expect(destroyApproval('dev', ['allow-destroy'], [push, labeled('sre'), push]).reason).toBe('allow-destroy was added by sre before the latest push; it must be added again');
    expect(destroyApproval('dev', ['allow-destroy'], [labeled('sre'), { event: 'head_ref_force_pushed' }]).allowed).toBe(false);
  });

  it('ignores other labels', () => {
    expect(destroyApproval('dev', ['allow-destroy'], [push, labeled('sre', 'plan:destroy')]).allowed).toBe(false);
  });
});
