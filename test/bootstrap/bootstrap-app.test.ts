import { Testing } from 'cdktf';
import { loadAccounts } from '../../accounts';
import { management } from '../../accounts/management';
import { resolveManagement } from '../../accounts/management-schema';
import { preview } from '../../accounts/sandbox/preview';
import { bootstrapStacks, plannerPrincipalArns } from '../../bootstrap/bootstrap-app';
import { TerraformJson, resourcesOf } from '../helpers';

/**
 * Who may plan by hand: the Identity Center role of the management config's planner
 * permission set. Role ARN format from
 * docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html:
 * arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<set>_<unique suffix>
 * (with or without the region in the path).
 */
const accounts = loadAccounts();
const config = resolveManagement(management, accounts);
const stacks = bootstrapStacks(Testing.app(), accounts, config, preview).map((s) => s.toTerraform() as TerraformJson);
const ssoRole = (accountId: string, set: string, suffix = '1234567890abcdef', path = `${management.region}/`) => `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/${path}AWSReservedSSO_${set}_${suffix}`;
const arnLike = (pattern: string, arn: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(arn);

describe('bootstrap planners', () => {
  it('bootstraps every account and the management account', () => {
    expect(stacks.map((s) => s.provider.aws[0].allowed_account_ids[0]).sort()).toEqual([...accounts.map((a) => a.accountId), management.accountId].sort());
  });

  it.each([...accounts, management].map((a) => [a.name, a] as const))('%s: the plan role trusts the role of the planner permission set, whatever its suffix, and no other set', (_name, account) => {
    const stack = stacks.find((s) => s.provider.aws[0].allowed_account_ids[0] === account.accountId)!;
    const plan = Object.values(resourcesOf(stack, 'aws_iam_role')).find((r) => r.name === account.ci.planRole)!;
    const named = JSON.parse(plan.assume_role_policy).Statement.find((s: TerraformJson) => s.Sid === 'NamedPrincipals');
    const patterns: string[] = named.Condition.ArnLike['aws:PrincipalArn'];
    expect(patterns).toEqual(plannerPrincipalArns(account, management));
    const trusted = (arn: string) => patterns.some((p) => arnLike(p, arn));
    expect(trusted(ssoRole(account.accountId, management.plannerPermissionSet))).toBe(true);
    expect(trusted(ssoRole(account.accountId, management.plannerPermissionSet, 'abcdef0123456789'))).toBe(true);
    expect(trusted(ssoRole(account.accountId, management.plannerPermissionSet, 'abcdef0123456789', ''))).toBe(true);
    for (const other of [...management.permissionSets.map((p) => p.name).filter((n) => n !== management.plannerPermissionSet), 'AdministratorAccess']) {
      expect([other, trusted(ssoRole(account.accountId, other)), trusted(ssoRole(account.accountId, other, undefined, ''))]).toEqual([other, false, false]);
    }
    expect(trusted(ssoRole('999999999999', management.plannerPermissionSet))).toBe(false);
  });

  it('the planner set is the one the SREs hold in every account, not break-glass', () => {
    const set = management.permissionSets.find((p) => p.name === management.plannerPermissionSet)!;
    expect(set.breakGlass).toBeFalsy();
    const where = management.access.filter((g) => g.permissionSet === set.name).flatMap((g) => g.accounts);
    expect([...new Set(where)].sort()).toEqual([...accounts.map((a) => a.name), management.name].sort());
  });
});
