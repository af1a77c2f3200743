/**
 * Destroy approval: whether a pull request's `allow-destroy` label counts.
 *
 * It counts only when it was added after the latest push, by someone other than the PR
 * author (and not by a bot). The pull request workflow also removes the label on every
 * push (`synchronize`), because a commit's place in the timeline follows its commit date,
 * which the author chooses; the removal follows the real push.
 */

export const ALLOW_DESTROY = 'allow-destroy';

/** The fields of a GitHub issue timeline event this decision reads. */
export interface TimelineEvent {
  readonly event?: string;
  readonly actor?: { readonly login?: string } | null;
  readonly label?: { readonly name?: string };
}

export interface Approval {
  readonly allowed: boolean;
  /** Why, in a sentence for the job log and the plan comment. */
  readonly reason: string;
}

/** Timeline events that put new commits on the pull request's branch. */
const PUSH_EVENTS = new Set(['committed', 'head_ref_force_pushed']);

/** Array.prototype.findLastIndex is ES2023; the project targets ES2022. */
function lastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return i;
  return -1;
}

/**
 * @param author the pull request author's login
 * @param labels the labels the pull request carries now
 * @param timeline the pull request's timeline, oldest first (GitHub's order)
 */
export function destroyApproval(author: string, labels: readonly string[], timeline: readonly TimelineEvent[]): Approval {
  if (!labels.includes(ALLOW_DESTROY)) return { allowed: false, reason: `no ${ALLOW_DESTROY} label` };
  const lastLabel = lastIndex(timeline, (e) => e.event === 'labeled' && e.label?.name === ALLOW_DESTROY);
  if (lastLabel < 0) return { allowed: false, reason: `the ${ALLOW_DESTROY} label has no "labeled" event in the timeline` };
  const by = timeline[lastLabel].actor?.login ?? '';
  if (by === '' || by.endsWith('[bot]')) return { allowed: false, reason: `${ALLOW_DESTROY} was added by ${by || 'an unknown actor'}, not by a reviewer` };
  if (by === author) return { allowed: false, reason: `${ALLOW_DESTROY} was added by the author (${author}); another person must add it` };
  const lastPush = lastIndex(timeline, (e) => PUSH_EVENTS.has(e.event ?? ''));
  if (lastPush > lastLabel) return { allowed: false, reason: `${ALLOW_DESTROY} was added by ${by} before the latest push; it must be added again` };
  return { allowed: true, reason: `${ALLOW_DESTROY} added by ${by} after the latest push` };
}
