/**
 * Shared by the AWS provider-constraint tests (one file per service). The constraints come
 * from hashicorp/terraform-provider-aws, `internal/service/<service>/<file>.go`, the file each
 * rule names. @cdktf/provider-aws 21.22.1 binds provider 6.25.0; the required/optional
 * structure below was checked against those bindings (node_modules/@cdktf/provider-aws/lib),
 * the validators against the provider source.
 */
import { loadAccounts } from '../../accounts';
import { TerraformJson, synthAccount } from '../helpers';

export const AWS_PROVIDER_SOURCE = 'hashicorp/terraform-provider-aws 6.25.0';

/** Every account of the repository, synthesized once per test file. */
export function accountStacks(): Array<[string, TerraformJson]> {
  return loadAccounts().map((a) => [a.name, synthAccount(a)]);
}

/** The resources of `type` in a stack, as [name, resource]. */
export function resources(json: TerraformJson, type: string): Array<[string, TerraformJson]> {
  return Object.entries(json.resource?.[type] ?? {}) as Array<[string, TerraformJson]>;
}

/** The resource a `${type.name.attr}` reference points at, or undefined for a literal. */
export function referenced(json: TerraformJson, value: unknown): { type: string; name: string; resource: TerraformJson } | undefined {
  const m = /^\$\{(?:tolist\()?([a-z0-9_]+)\.([\w-]+)\.[\w.]+\)?\}$/.exec(String(value));
  if (!m) return undefined;
  const resource = json.resource?.[m[1]]?.[m[2]];
  return resource ? { type: m[1], name: m[2], resource } : undefined;
}

/** A block as Terraform JSON may write it: an object, or a list of one object. */
export function block(v: unknown): TerraformJson | undefined {
  const one = Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
  return one !== null && typeof one === 'object' ? (one as TerraformJson) : undefined;
}

/** The text of a value with every `${...}` interpolation removed: what validators see of the literal parts. */
export const literalParts = (v: string): string => v.replace(/\$\{[^}]*\}/g, '');

/** A deep copy of a stack, to break on purpose. */
export const copyOf = (json: TerraformJson): TerraformJson => JSON.parse(JSON.stringify(json));

/** Problems of every resource of the given types in a stack. */
export function problemsIn(json: TerraformJson, checks: Record<string, (r: TerraformJson, json: TerraformJson) => string[]>): string[] {
  return Object.entries(checks).flatMap(([type, check]) => resources(json, type).flatMap(([name, r]) => check(r, json).map((p) => `${type}.${name}: ${p}`)));
}
