import { Suppression } from '../constructs/core/suppressions';
import { UserError } from '../constructs/core/validation';
import { ALL_RULES } from './packs';
import { PolicyRule, SynthResource, SynthStack } from './rule';

/** A resource that breaks a rule. */
export interface Violation {
  readonly rule: PolicyRule;
  readonly stack: string;
  readonly resource: SynthResource;
}

/** A finding a suppression turned off. */
export interface SuppressedFinding extends Violation {
  readonly suppression: Suppression & { readonly path: string };
}

export interface PolicyReport {
  readonly violations: readonly Violation[];
  readonly suppressed: readonly SuppressedFinding[];
  /** Resources checked, times rules applied (for the inventory). */
  readonly checks: number;
}

/**
 * Runs `rules` over every resource of `stack`. A finding on a resource under a
 * suppressed construct (same path or below) is reported as suppressed, not violated.
 * Throws on a suppression naming no known rule or giving no reason.
 */
export function evaluate(stack: SynthStack, rules: readonly PolicyRule[], suppressions: ReadonlyArray<Suppression & { path: string }>): PolicyReport {
  const known = new Set(ALL_RULES.map((r) => r.id));
  const bad = suppressions.filter((s) => !known.has(s.rule) || s.reason.trim().length < 10);
  if (bad.length > 0) {
    throw new UserError(
      `Bad policy suppression:\n${bad
        .map((s) => `  ${s.path}: ${!known.has(s.rule) ? `rule "${s.rule}" does not exist (see policies/README.md)` : `rule ${s.rule} needs a reason of 10 characters or more, got ${JSON.stringify(s.reason)}`}`)
        .join('\n')}`,
    );
  }
  const violations: Violation[] = [];
  const suppressed: SuppressedFinding[] = [];
  let checks = 0;
  for (const rule of rules) {
    const applies = (r: SynthResource) => rule.resourceTypes.includes('*') || rule.resourceTypes.includes(r.type);
    for (const resource of stack.resources.filter(applies)) {
      checks++;
      if (rule.check(resource, stack) !== 'non-compliant') continue;
      const suppression = suppressions.find((s) => s.rule === rule.id && (resource.path === s.path || resource.path.startsWith(`${s.path}/`)));
      if (suppression) suppressed.push({ rule, stack: stack.name, resource, suppression });
      else violations.push({ rule, stack: stack.name, resource });
    }
  }
  return { violations, suppressed, checks };
}

/** One or more resources break policy; the message lists each with its fix. */
export class PolicyViolationError extends UserError {
  constructor(public readonly violations: readonly Violation[]) {
    super(
      `${violations.length} policy violation${violations.length === 1 ? '' : 's'}:\n\n` +
        violations
          .map(
            (v) =>
              `  ${v.rule.id} [${v.rule.pack}] in account ${v.stack}\n` +
              `    construct: ${v.resource.path}\n` +
              `    resource:  ${v.resource.type}.${v.resource.name}\n` +
              `    rule:      ${v.rule.info}\n` +
              `    fix:       ${v.rule.fix}`,
          )
          .join('\n\n') +
        '\n\nIf a violation is acceptable, suppress it next to the resource with the rule id and a reason (see policies/README.md).',
    );
    this.name = 'PolicyViolationError';
  }
}
