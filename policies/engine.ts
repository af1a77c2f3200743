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
  /** Compliant verdicts: (rule, resource) pairs that were judged and passed (for the inventory). */
  readonly checks: number;
  /** (rule, resource) pairs the rule does not apply to; not counted as passed. */
  readonly notApplicable: number;
}

/**
 * Runs `rules` over every resource of `stack`, in one pass over the resources: rules are
 * indexed by resource type first. A finding on a resource under a suppressed construct
 * (same path or below) is reported as suppressed, not violated. Only compliant verdicts
 * count as passed checks: not-applicable and suppressed ones do not.
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
  const byType = new Map<string, PolicyRule[]>();
  const everywhere = rules.filter((r) => r.resourceTypes.includes('*'));
  for (const rule of rules) for (const type of rule.resourceTypes) if (type !== '*') byType.set(type, [...(byType.get(type) ?? []), rule]);
  const suppressionsByRule = new Map<string, Array<Suppression & { path: string }>>();
  for (const s of suppressions) suppressionsByRule.set(s.rule, [...(suppressionsByRule.get(s.rule) ?? []), s]);

  const violations: Violation[] = [];
  const suppressed: SuppressedFinding[] = [];
  let checks = 0;
  let notApplicable = 0;
  for (const resource of stack.resources) {
    for (const rule of [...(byType.get(resource.type) ?? []), ...everywhere]) {
      const result = rule.check(resource, stack);
      if (result === 'compliant') checks++;
      else if (result === 'not-applicable') notApplicable++;
      else {
        const suppression = (suppressionsByRule.get(rule.id) ?? []).find((s) => resource.path === s.path || resource.path.startsWith(`${s.path}/`));
        if (suppression) suppressed.push({ rule, stack: stack.name, resource, suppression });
        else violations.push({ rule, stack: stack.name, resource });
      }
    }
  }
  // Report in rule order, as the README lists them.
  const order = new Map(rules.map((r, i) => [r.id, i]));
  const byRule = (a: Violation, b: Violation) => order.get(a.rule.id)! - order.get(b.rule.id)!;
  return { violations: violations.sort(byRule), suppressed: suppressed.sort(byRule), checks, notApplicable };
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
