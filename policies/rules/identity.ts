import { ACCESS_TIER_TAG, BREAK_GLASS_MAX_MINUTES, sessionMinutes } from '../../constructs/identity/identity-center';
import { Statement, actionMatches, statementsOf } from '../policy-document';
import { PolicyRule, SynthResource, SynthStack, attr, refersTo, resourcesOf, verdict } from '../rule';

/** Delegated access (IAM Identity Center permission sets) and the organization's service control policies. */

const ADMIN_POLICY = /^arn:aws[\w-]*:iam::aws:policy\/AdministratorAccess$/;

/** The permission set a policy attachment or inline policy belongs to, if it is in the stack. */
function permissionSetOf(r: SynthResource, stack: SynthStack): SynthResource | undefined {
  return resourcesOf(stack, 'aws_ssoadmin_permission_set').find((p) => refersTo(r.attributes.permission_set_arn, p));
}

const isBreakGlass = (set: SynthResource | undefined) => (set?.attributes.tags as Record<string, string> | undefined)?.[ACCESS_TIER_TAG] === 'break-glass';

/** The guardrails every target of the organization's SCPs must get: tests over its Deny statements. */
const GUARDRAILS: ReadonlyArray<(denies: readonly Statement[]) => boolean> = [
  (d) => denies(d, 'organizations:LeaveOrganization'),
  (d) => denies(d, 'cloudtrail:StopLogging') && denies(d, 'cloudtrail:DeleteTrail'),
  (d) => denies(d, 'guardduty:DeleteDetector'),
  (d) => denies(d, 'config:StopConfigurationRecorder') && denies(d, 'config:DeleteConfigurationRecorder'),
  // The root user: every action, for principals arn:aws:iam::<account>:root.
  (d) => d.some((s) => !s.notActions && s.actions.includes('*') && Object.values(s.condition).some((keys) => (keys['aws:PrincipalArn'] ?? []).some((v) => v.endsWith(':root')))),
  // Other regions: a deny conditioned on the requested region.
  (d) => d.some((s) => Object.values(s.condition).some((keys) => 'aws:RequestedRegion' in keys)),
];

function denies(statements: readonly Statement[], action: string): boolean {
  return statements.some((s) => !s.notActions && Object.keys(s.condition).length === 0 && s.actions.some((a) => actionMatches(a, action)));
}

export const identityRules: PolicyRule[] = [
  {
    id: 'SSO-NO-ADMIN',
    pack: 'baseline',
    info: 'No permission set grants administrator access (AdministratorAccess, or an inline policy allowing "*" on "*") except the break-glass set.',
    explanation: 'Everyday access with full power turns a phished session into control of every account it is assigned in; full power is for the alerted, one-hour break-glass set only.',
    fix: 'Use PowerUserAccess plus the IAM actions the team needs (see SREAdmin in accounts/management.ts), or request break-glass access.',
    resourceTypes: ['aws_ssoadmin_managed_policy_attachment', 'aws_ssoadmin_permission_set_inline_policy'],
    check: (r, stack) => {
      if (isBreakGlass(permissionSetOf(r, stack))) return 'compliant';
      if (r.type === 'aws_ssoadmin_managed_policy_attachment') return verdict(!ADMIN_POLICY.test(String(attr(r, 'managed_policy_arn') ?? '')));
      const statements = statementsOf(r.attributes.inline_policy, stack);
      if (statements === undefined) return 'not-applicable';
      return verdict(!statements.some((s) => s.effect === 'Allow' && !s.notActions && s.actions.some((a) => a === '*' || a === '*:*') && s.resources.includes('*')));
    },
  },
  {
    id: 'SSO-BREAK-GLASS-SESSION',
    pack: 'baseline',
    info: 'The break-glass permission set (tagged AccessTier=break-glass) has a session of at most one hour.',
    explanation: 'Emergency administrator credentials should expire soon after the emergency; a long session outlives the alert that announced it.',
    fix: 'Set sessionDuration to "PT1H" on the break-glass permission set in accounts/management.ts.',
    resourceTypes: ['aws_ssoadmin_permission_set'],
    check: (r) => {
      if (!isBreakGlass(r)) return 'not-applicable';
      // The provider's default when the attribute is left out is PT1H (permission_set.go).
      const minutes = sessionMinutes(String(r.attributes.session_duration ?? 'PT1H'));
      return verdict(minutes !== undefined && minutes <= BREAK_GLASS_MAX_MINUTES);
    },
  },
  {
    id: 'SCP-GUARDRAILS',
    pack: 'baseline',
    info: 'Every target of the service control policies is denied leaving the organization, stopping CloudTrail, GuardDuty and Config, the root user and other regions.',
    explanation: 'An organizational unit that misses one guardrail lets its accounts turn off the audit trail or threat detection, or act where nobody looks.',
    fix: 'Attach both ServiceControlPolicies policies (guardrails and region-restriction) to the unit: list it in organization.guardrailTargets of accounts/management.ts.',
    resourceTypes: ['aws_organizations_policy_attachment'],
    check: (r, stack) => {
      const target = r.attributes.target_id;
      const attached = resourcesOf(stack, 'aws_organizations_policy_attachment').filter((a) => a.attributes.target_id === target);
      const policies = resourcesOf(stack, 'aws_organizations_policy').filter((p) => (p.attributes.type ?? 'SERVICE_CONTROL_POLICY') === 'SERVICE_CONTROL_POLICY' && attached.some((a) => refersTo(a.attributes.policy_id, p)));
      const documents = policies.map((p) => statementsOf(p.attributes.content, stack));
      if (documents.some((d) => d === undefined)) return 'not-applicable';
      const denyStatements = (documents as Statement[][]).flat().filter((s) => s.effect === 'Deny');
      return verdict(GUARDRAILS.every((holds) => holds(denyStatements)));
    },
  },
];
