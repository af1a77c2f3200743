import { Json, SynthStack } from './rule';

/** One IAM policy statement, normalized: lists are always arrays. */
export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly notActions: boolean;
  readonly resources: readonly string[];
  /** `'*'` for the wildcard principal, else `{ AWS: [...], Service: [...], Federated: [...] }`. */
  readonly principal: '*' | Readonly<Record<string, readonly string[]>> | undefined;
  /** Operator -> condition key -> values. */
  readonly condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : [v].flat().map(String));

function fromJson(doc: Json): Statement[] {
  // IAM accepts a single statement object as well as a list.
  return [doc.Statement ?? []].flat().map((s: Json) => ({
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: list(s.Action ?? s.NotAction),
    notActions: s.NotAction !== undefined,
    resources: list(s.Resource ?? s.NotResource),
    principal:
      s.Principal === '*' ? '*' : s.Principal && typeof s.Principal === 'object' ? Object.fromEntries(Object.entries(s.Principal as Json).map(([k, v]) => [k, list(v)])) : undefined,
    condition: Object.fromEntries(Object.entries((s.Condition ?? {}) as Json).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys as Json).map(([k, v]) => [k, list(v)]))])),
  }));
}

/** `data.aws_iam_policy_document` blocks (HCL shape) as statements. */
function fromDataSource(data: Json): Statement[] {
  return ((data.statement ?? []) as Json[]).map((s) => {
    const principals = (s.principals ?? []) as Array<{ type: string; identifiers: string[] }>;
    const wildcard = principals.some((p) => p.type === '*' || (p.type === 'AWS' && list(p.identifiers).includes('*')));
    const condition: Record<string, Record<string, string[]>> = {};
    for (const c of (s.condition ?? []) as Array<{ test: string; variable: string; values: string[] }>) condition[c.test] = { ...(condition[c.test] ?? {}), [c.variable]: list(c.values) };
    return {
      effect: s.effect === 'Deny' ? 'Deny' : 'Allow',
      actions: list(s.actions ?? s.not_actions),
      notActions: s.not_actions !== undefined,
      resources: list(s.resources ?? s.not_resources),
      principal: wildcard ? '*' : principals.length > 0 ? Object.fromEntries(principals.map((p) => [p.type, list(p.identifiers)])) : undefined,
      condition,
    } as Statement;
  });
}

const DATA_REF = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/;

/**
 * The statements of a policy attribute: a JSON string (cdktf's `JSON.stringify`), an
 * object, or a reference to a `data.aws_iam_policy_document` in the same stack. Returns
 * `undefined` when the document cannot be known at synth time (`${jsonencode(...)}`, a
 * reference to another resource, a variable): rules then answer not-applicable instead of
 * guessing.
 */
export function statementsOf(policy: unknown, stack: SynthStack): Statement[] | undefined {
  if (policy === undefined || policy === null || policy === '') return undefined;
  if (typeof policy === 'object') return fromJson(policy as Json);
  const text = String(policy).trim();
  const ref = DATA_REF.exec(text);
  if (ref) {
    const data = stack.json.data?.aws_iam_policy_document?.[ref[1]] as Json | undefined;
    // A data document that itself merges others (source/override) is not resolved here.
    if (!data || data.source_policy_documents || data.override_policy_documents) return undefined;
    return fromDataSource(data);
  }
  if (!text.startsWith('{')) return undefined;
  try {
    return fromJson(JSON.parse(text) as Json);
  } catch {
    return undefined;
  }
}

/** Whether `action` matches `pattern` the way IAM matches (case-insensitive, `*` and `?`). */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(action);
}

/** Whether the statement names the wildcard principal (`"*"` or `{"AWS": "*"}`). */
export function hasWildcardPrincipal(s: Statement): boolean {
  return s.principal === '*' || (s.principal !== undefined && Object.values(s.principal).some((ids) => ids.includes('*')));
}

/** Whether the statement has at least one condition key. */
export const hasCondition = (s: Statement): boolean => Object.values(s.condition).some((keys) => Object.keys(keys).length > 0);

/**
 * Condition keys that narrow a "*" principal to known accounts, resources, organizations or
 * networks (what checkov's policyuniverse / cloudsplaining treat as not internet-accessible).
 * `aws:SecureTransport` is not one: it restricts how, not who.
 */
const RESTRICTING_KEYS = /^(aws:(SourceArn|SourceAccount|SourceOwner|PrincipalOrgID|PrincipalOrgPaths|PrincipalAccount|PrincipalArn|SourceVpc|SourceVpce|SourceIp|SourceOrgID|ResourceAccount)|kms:(CallerAccount|ViaService)|sts:ExternalId)$/i;

/** Whether a condition of the statement names who or where: an account, ARN, organization or network. */
export const hasRestrictingCondition = (s: Statement): boolean => Object.values(s.condition).some((keys) => Object.keys(keys).some((k) => RESTRICTING_KEYS.test(k)));
