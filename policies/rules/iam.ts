import { Statement, actionMatches, hasCondition, hasRestrictingCondition, hasWildcardPrincipal, statementsOf } from '../policy-document';
import { PolicyRule, SynthResource, SynthStack, Verdict, attr, verdict } from '../rule';

/** IAM: identity policies, managed-policy attachments and role trust policies. */

/** Resources whose `policy` attribute is an identity policy. */
const POLICY_TYPES = ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'];
/** Resources that attach a managed policy by ARN. */
const ATTACHMENT_TYPES = ['aws_iam_role_policy_attachment', 'aws_iam_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment'];

/**
 * The identity policies a resource carries: `policy`, or a role's `inline_policy` blocks.
 * `undefined` when one of them cannot be resolved at synth time; `[]` when there is none.
 */
function identityStatements(r: SynthResource, stack: SynthStack): Statement[] | undefined {
  const documents = r.type === 'aws_iam_role' ? ((r.attributes.inline_policy ?? []) as Array<{ policy?: unknown }>).map((b) => b.policy) : [r.attributes.policy];
  const resolved = documents.map((d) => statementsOf(d, stack));
  return resolved.some((s) => s === undefined) ? undefined : resolved.flat() as Statement[];
}

/** Judges the Allow statements of a resource's identity policies; not-applicable when there are none or they cannot be read. */
function judgeAllows(r: SynthResource, stack: SynthStack, bad: (s: Statement) => boolean): Verdict {
  const statements = identityStatements(r, stack);
  if (statements === undefined || statements.length === 0) return 'not-applicable';
  return verdict(!statements.some((s) => s.effect === 'Allow' && bad(s)));
}

/** The trust policy's Allow statements; undefined when it cannot be read. */
function trustAllows(r: SynthResource, stack: SynthStack): Statement[] | undefined {
  return statementsOf(attr(r, 'assume_role_policy'), stack)?.filter((s) => s.effect === 'Allow');
}

const ADMIN_POLICY = /^arn:aws[\w-]*:iam::aws:policy\/AdministratorAccess$/;

/**
 * Actions that hand out credentials, keys or other roles. Granting them on `"*"` reaches
 * every secret, key or role of the account, including ones created later.
 */
export const SENSITIVE_ACTIONS = [
  'secretsmanager:GetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'iam:PassRole',
  'sts:AssumeRole',
];

const wildcardAction = (a: string) => a === '*' || /^[\w-]+:\*$/.test(a);
/** The account itself (`123456789012` or its root ARN) as an AWS principal. */
const ACCOUNT_PRINCIPAL = /^(\d{12}|arn:aws[\w-]*:iam::\d{12}:root)$/;

export const iamRules: PolicyRule[] = [
  {
    id: 'IAM-NO-ADMIN',
    pack: 'baseline',
    info: 'No role, user or group gets administrator access: no AdministratorAccess attachment and no policy allowing "*" on "*".',
    explanation: 'Administrator access turns any bug or leaked credential of that principal into control of the whole account.',
    fix: 'Grant the actions and resources the principal needs; a deploy role that truly needs it is suppressed with the reason.',
    checkov: 'CKV_AWS_274 / CKV_AWS_62 / CKV_AWS_1',
    resourceTypes: ['aws_iam_role', ...ATTACHMENT_TYPES, ...POLICY_TYPES],
    check: (r, stack) => {
      const fullAdmin = (s: Statement) => !s.notActions && s.actions.some((a) => a === '*' || a === '*:*') && s.resources.includes('*');
      if (ATTACHMENT_TYPES.includes(r.type)) return verdict(!ADMIN_POLICY.test(String(attr(r, 'policy_arn') ?? '')));
      if (r.type === 'aws_iam_role') {
        const managed = ((r.attributes.managed_policy_arns ?? []) as unknown[]).map(String);
        if (managed.some((a) => ADMIN_POLICY.test(a))) return 'non-compliant';
        const inline = judgeAllows(r, stack, fullAdmin);
        return inline === 'not-applicable' && managed.length > 0 ? 'compliant' : inline;
      }
      return judgeAllows(r, stack, fullAdmin);
    },
  },
  {
    id: 'IAM-NO-WILDCARD-ACTIONS',
    pack: 'baseline',
    info: 'IAM policies (including role inline_policy blocks) grant no "*" or "service:*" actions, and no NotAction.',
    explanation: "Wildcards grant tomorrow's actions too; least privilege names what is needed.",
    fix: 'List the actions the role needs.',
    checkov: 'CKV_AWS_63 / CKV_AWS_49',
    partly: 'AwsSolutions-IAM5: wildcard actions only (wildcard resources: see IAM-SENSITIVE-RESOURCES)',
    resourceTypes: ['aws_iam_role', ...POLICY_TYPES],
    check: (r, stack) => judgeAllows(r, stack, (s) => s.notActions || s.actions.some(wildcardAction)),
  },
  {
    id: 'IAM-SENSITIVE-RESOURCES',
    pack: 'baseline',
    info: `IAM policies grant ${SENSITIVE_ACTIONS.join(', ')} on named resources, never on "*".`,
    explanation: 'On "*" these actions reach every secret, key and role of the account, including the ones added next year.',
    fix: 'Name the secret, parameter, key or role ARNs in Resource.',
    partly: 'CKV_AWS_355: only the listed credential, key and role actions, not every resource-restrictable action; AwsSolutions-IAM5: wildcard resources for these actions only',
    resourceTypes: ['aws_iam_role', ...POLICY_TYPES],
    check: (r, stack) =>
      judgeAllows(r, stack, (s) => s.resources.some((res) => res === '*') && SENSITIVE_ACTIONS.some((sensitive) => s.notActions || s.actions.some((a) => actionMatches(a, sensitive)))),
  },
  {
    id: 'IAM-TRUST-NOT-PUBLIC',
    pack: 'baseline',
    info: 'No role trust policy allows the "*" principal, unless a condition names the accounts, organization or roles (aws:PrincipalOrgID, ...).',
    explanation: 'A role anyone can assume hands its permissions to every AWS account in the world.',
    fix: 'Name the service, account or role that assumes it (Principal), or restrict with a condition such as aws:PrincipalOrgID.',
    partly: 'CKV_AWS_60: a "*" principal restricted by aws:PrincipalOrgID or a similar condition is accepted; checkov fails any "*"',
    resourceTypes: ['aws_iam_role'],
    check: (r, stack) => {
      const allows = trustAllows(r, stack);
      return allows === undefined ? 'not-applicable' : verdict(!allows.some((s) => hasWildcardPrincipal(s) && !hasRestrictingCondition(s)));
    },
  },
  {
    id: 'IAM-TRUST-ACCOUNT-CONDITION',
    pack: 'baseline',
    info: 'A trust policy naming a whole account (its id or root) restricts who may assume the role with a condition (sts:ExternalId, aws:PrincipalArn, ...).',
    explanation: 'Trusting an account root lets every principal that account allows assume the role; for a third party the external id also stops the confused deputy.',
    fix: 'Add sts:ExternalId for a third party, or aws:PrincipalArn naming the roles that may assume it.',
    partly: 'CKV_AWS_61: any condition satisfies this rule; checkov accepts only sts:ExternalId (the bootstrap roles restrict by aws:PrincipalArn)',
    resourceTypes: ['aws_iam_role'],
    check: (r, stack) => {
      const allows = trustAllows(r, stack);
      if (allows === undefined) return 'not-applicable';
      const accountWide = (s: Statement) => s.principal !== '*' && (s.principal?.AWS ?? []).some((p) => ACCOUNT_PRINCIPAL.test(p));
      return verdict(!allows.some((s) => accountWide(s) && !hasCondition(s)));
    },
  },
  {
    id: 'IAM-OIDC-SUBJECT',
    pack: 'baseline',
    info: 'A role trusting an OIDC provider conditions on the token subject ("<provider>:sub"); for GitHub Actions the subject names the organization and repository.',
    explanation: "Without a subject condition any workflow of any GitHub repository (or any identity of the provider) can assume the role.",
    fix: 'Add StringEquals/StringLike "<provider>:sub": "repo:<org>/<repo>:..." to the statement.',
    checkov: 'CKV_AWS_358',
    partly: 'CKV_AWS_393: the subject must name the repository; the order of custom claims is not checked',
    resourceTypes: ['aws_iam_role'],
    check: (r, stack) => {
      const allows = trustAllows(r, stack);
      if (allows === undefined) return 'not-applicable';
      const oidc = allows.filter((s) => s.actions.some((a) => actionMatches(a, 'sts:AssumeRoleWithWebIdentity')) || (s.principal !== '*' && (s.principal?.Federated ?? []).some((f) => /oidc-provider\//.test(f))));
      if (oidc.length === 0) return 'not-applicable';
      const subjectsOf = (s: Statement) =>
        Object.values(s.condition)
          .flatMap((keys) => Object.entries(keys))
          .filter(([key]) => /:sub$/.test(key))
          .flatMap(([, values]) => values);
      const GITHUB = 'token.actions.githubusercontent.com';
      const github = (s: Statement) =>
        (s.principal !== '*' && (s.principal?.Federated ?? []).some((f) => f.includes(GITHUB))) || Object.values(s.condition).some((keys) => Object.keys(keys).some((k) => k.startsWith(`${GITHUB}:`)));
      return verdict(
        oidc.every((s) => {
          const subjects = subjectsOf(s);
          if (subjects.length === 0 || subjects.some((v) => /^\*?$/.test(v.trim()))) return false;
          // GitHub subjects are repo:<org>/<repo>:<context>; a wildcard org or repository admits strangers.
          return !github(s) || subjects.every((v) => /^repo:[^*/:]+\/[^*/:]+:/.test(v));
        }),
      );
    },
  },
];
