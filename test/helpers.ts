import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { sharedDefaults } from '../accounts/defaults';
import { loadAccounts } from '../accounts';
import { staging } from '../accounts/staging';
import { AccountConfig, AccountOverrides, layer, resolveAccounts } from '../accounts/schema';
import { SubnetRef } from '../constructs/network/network';
import { AccountStack } from '../stacks/account-stack';

/** The synthesized Terraform JSON of a stack, as Terraform will read it. */
export type TerraformJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A valid account: staging's config with `changes` layered over it. */
export function testAccount(changes: Partial<Record<keyof AccountOverrides, unknown>> = {}): AccountConfig {
  const overrides = layer(staging, changes) as { name: string };
  return resolveAccounts([{ folder: overrides.name, overrides }], sharedDefaults)[0];
}

/** Builds the account's stack and returns its Terraform JSON. */
export function synthAccount(account: AccountConfig): TerraformJson {
  const stack = new AccountStack(Testing.app(), { account });
  return stack.toTerraform() as TerraformJson;
}

/** All resources of one type in a synthesized stack, by construct name. */
export function resourcesOf(json: TerraformJson, type: string): Record<string, TerraformJson> {
  return json.resource?.[type] ?? {};
}

/** Every resource of `type` in every account's stack, labelled `<account> <resource name>` (accounts from accounts/index.ts). */
export function accountResources(type: string): Array<readonly [string, TerraformJson]> {
  return loadAccounts().flatMap((a) => Object.entries(resourcesOf(synthAccountCached(a), type)).map(([id, r]) => [`${a.name} ${id}`, r] as const));
}
const synthCache = new Map<string, TerraformJson>();
const synthAccountCached = (a: AccountConfig) => synthCache.get(a.name) ?? synthCache.set(a.name, synthAccount(a)).get(a.name)!;

/** The managed policy ARNs attached (aws_iam_role_policy_attachment) to the role named `roleName`. */
export function managedPoliciesOf(json: TerraformJson, roleName: string): string[] {
  const id = Object.entries(resourcesOf(json, 'aws_iam_role')).find(([, r]) => r.name === roleName)?.[0];
  return Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment')).filter((a) => a.role === `\${aws_iam_role.${id}.name}`).map((a) => a.policy_arn);
}

/** The only resource of `type`; fails the test when there is not exactly one. */
export function onlyResource(json: TerraformJson, type: string): TerraformJson {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** Builds constructs in a bare stack and returns its Terraform JSON. */
export function synthConstructs(build: (stack: TerraformStack) => void): TerraformJson {
  const stack = new TerraformStack(Testing.app(), 'test');
  build(stack);
  return stack.toTerraform() as TerraformJson;
}

/** The message of the error `fn` throws; fails the test if it does not throw. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected an error, but none was thrown');
}

/** Three subnets in three zones, for constructs that take a network. */
export const testSubnets = (tier: string): SubnetRef[] =>
  ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'].map((zone, i) => ({ id: `subnet-${tier}${i}`, availabilityZone: zone }));

/** Every file under `dir` (following links) with its content: equal trees are byte-identical. */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const entry of readdirSync(d).sort()) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${entry}/`);
      else out[`${prefix}${entry}`] = readFileSync(full, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}
