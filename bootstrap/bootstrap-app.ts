import { App } from 'cdktf';
import { AccountConfig } from '../accounts/schema';
import { ManagementConfig } from '../accounts/management-schema';
import { PreviewSettings } from '../stacks/preview-stack';
import { BootstrapStack } from './bootstrap-stack';

/**
 * The plan role's planners in one account: the IAM roles IAM Identity Center creates for the
 * management config's `plannerPermissionSet` there. Identity Center names each role
 * `arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<permission set name>_<unique suffix>`
 * (the region in the path or not) and gives it a new suffix when the set is assigned again
 * (docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html): the
 * region path and the suffix are wildcards.
 */
export function plannerPrincipalArns(account: Pick<AccountConfig, 'accountId'>, management: Pick<ManagementConfig, 'plannerPermissionSet'>): string[] {
  return [`arn:aws:iam::${account.accountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${management.plannerPermissionSet}_*`];
}

/**
 * One bootstrap stack per account and one for the management account (it runs the
 * management stack: same bootstrap), each plan role trusting the SREs' Identity Center role.
 */
export function bootstrapStacks(app: App, accounts: readonly AccountConfig[], management: ManagementConfig, preview: PreviewSettings): BootstrapStack[] {
  return [...accounts, management].map(
    (account) =>
      new BootstrapStack(app, {
        account,
        plannerPrincipalArns: plannerPrincipalArns(account, management),
        previewRole: account.name === preview.account ? preview.role : undefined,
      }),
  );
}
