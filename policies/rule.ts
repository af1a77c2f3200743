/**
 * The policy model (cdk-nag style, over synthesized Terraform JSON): a rule is a pure
 * function over one resource, plus the stack for rules that look across resources.
 */

/** Terraform JSON, as parsed. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One resource of a synthesized stack. */
export interface SynthResource {
  /** Terraform type, e.g. `aws_rds_cluster`. */
  readonly type: string;
  /** Terraform name (the construct's unique id), e.g. `aurora-restaurant_cluster_1A2B3C4D`. */
  readonly name: string;
  /** Construct path, e.g. `production/aurora-restaurant/cluster`. */
  readonly path: string;
  readonly attributes: Json;
}

/** A synthesized stack: its name and resolved Terraform JSON. */
export interface SynthStack {
  readonly name: string;
  readonly json: Json;
  readonly resources: readonly SynthResource[];
  /** `resources` by Terraform type, built once so cross-resource rules stay linear. */
  readonly byType: ReadonlyMap<string, readonly SynthResource[]>;
}

export type Verdict = 'compliant' | 'non-compliant' | 'not-applicable';

export type PackName = 'baseline' | 'production';

export interface PolicyRule {
  /** Stable id used in suppressions, e.g. `RDS-ENCRYPTED`. */
  readonly id: string;
  /** Which pack holds the rule: `production` rules run only in production accounts. */
  readonly pack: PackName;
  /** One line: what must hold. */
  readonly info: string;
  /** Why it matters. */
  readonly explanation: string;
  /** How to fix a violation in this repository. */
  readonly fix: string;
  /** The matching cdk-nag rule, where one exists. */
  readonly cdkNag?: string;
  /** The matching checkov check, where one exists. */
  readonly checkov?: string;
  /**
   * Upstream ids this rule covers only in part, and what it leaves out, e.g.
   * `CKV_AWS_338: only audit and flow log groups`. Listed in the README.
   */
  readonly partly?: string;
  /** The resource types the rule looks at. */
  readonly resourceTypes: readonly string[];
  /** The verdict on one resource of one of `resourceTypes`. */
  check(resource: SynthResource, stack: SynthStack): Verdict;
}

/** `compliant` when `ok`, else `non-compliant`. */
export const verdict = (ok: boolean): Verdict => (ok ? 'compliant' : 'non-compliant');

/** Reads a nested attribute; blocks synthesized as one-element lists are looked into. */
export function attr(resource: SynthResource, path: string): unknown {
  let v: unknown = resource.attributes;
  for (const key of path.split('.')) {
    if (Array.isArray(v)) v = v[0];
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Json)[key];
  }
  return Array.isArray(v) && v.length === 1 && typeof v[0] === 'object' ? v[0] : v;
}

/** Whether `value` (any attribute) refers to the resource, e.g. `${aws_s3_bucket.logs_bucket_1234.id}`. */
export function refersTo(value: unknown, target: SynthResource): boolean {
  return JSON.stringify(value ?? null).includes(`${target.type}.${target.name}.`);
}

/** Resources of `type` in the stack. */
export function resourcesOf(stack: SynthStack, type: string): readonly SynthResource[] {
  return stack.byType.get(type) ?? [];
}

/** A string with at least one non-blank character: empty strings never satisfy a rule. */
export const filled = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** Flattens `{ type: { name: attributes } }` into resources, with their construct paths. */
export function stackOf(name: string, json: Json): SynthStack {
  const resources: SynthResource[] = [];
  for (const [type, byName] of Object.entries((json.resource ?? {}) as Json)) {
    for (const [resourceName, attributes] of Object.entries(byName as Json)) {
      resources.push({ type, name: resourceName, path: (attributes as Json)['//']?.metadata?.path ?? `${name}/${resourceName}`, attributes: attributes as Json });
    }
  }
  const byType = new Map<string, SynthResource[]>();
  for (const r of resources) {
    const list = byType.get(r.type);
    if (list) list.push(r);
    else byType.set(r.type, [r]);
  }
  return { name, json, resources, byType };
}
