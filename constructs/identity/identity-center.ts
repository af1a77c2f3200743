import { DataAwsIdentitystoreGroup } from '@cdktf/provider-aws/lib/data-aws-identitystore-group';
import { DataAwsSsoadminInstances } from '@cdktf/provider-aws/lib/data-aws-ssoadmin-instances';
import { SsoadminAccountAssignment } from '@cdktf/provider-aws/lib/ssoadmin-account-assignment';
import { SsoadminCustomerManagedPolicyAttachment } from '@cdktf/provider-aws/lib/ssoadmin-customer-managed-policy-attachment';
import { SsoadminManagedPolicyAttachment } from '@cdktf/provider-aws/lib/ssoadmin-managed-policy-attachment';
import { SsoadminPermissionSet } from '@cdktf/provider-aws/lib/ssoadmin-permission-set';
import { SsoadminPermissionSetInlinePolicy } from '@cdktf/provider-aws/lib/ssoadmin-permission-set-inline-policy';
import { Fn, ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { managedPolicy, policyDocument } from '../core/iam';
import { Rule, checkProps } from '../core/validation';

/** One statement of a permission set's inline policy (identity policy: no Principal). */
export interface IamStatement {
  /** @default - none */
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

/** A customer managed policy that must exist, with this name and path, in every account the set is assigned in. */
export interface CustomerManagedPolicyRef {
  readonly name: string;
  /** @default '/' */
  readonly path?: string;
}

/**
 * One IAM Identity Center permission set: what its role may do in each account it is assigned in.
 * @see https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html
 */
export interface PermissionSetSpec {
  /** 1 to 32 of `[\w+=,.@-]`; the roles it creates are named `AWSReservedSSO_<name>_<hash>`. */
  readonly name: string;
  /** Shown in the access portal; at most 700 characters. */
  readonly description: string;
  /** ISO-8601 session length, `PT1H` to `PT12H`. */
  readonly sessionDuration: string;
  /** AWS managed policy names, e.g. `ReadOnlyAccess`, `job-function/Billing`. @default [] */
  readonly managedPolicies?: readonly string[];
  /** Customer managed policies referenced by name. @default [] */
  readonly customerManagedPolicies?: readonly CustomerManagedPolicyRef[];
  /** Inline policy statements. @default - no inline policy */
  readonly inlinePolicy?: readonly IamStatement[];
  /**
   * The emergency administrator set: tagged `AccessTier=break-glass`, the only set that may
   * grant everything, with a session of at most one hour; its use is alerted on.
   * @default false
   */
  readonly breakGlass?: boolean;
}

/** One row of the access matrix: a group gets a permission set in some accounts. */
export interface AccessGrant {
  /** The group's display name in the identity store (IAM Identity Center or the external IdP it syncs from). */
  readonly group: string;
  /** The name of a permission set of the same construct. */
  readonly permissionSet: string;
  /** Account names, keys of `accountIds`. */
  readonly accounts: readonly string[];
}

export interface IdentityCenterProps {
  readonly permissionSets: readonly PermissionSetSpec[];
  /** @default [] */
  readonly access?: readonly AccessGrant[];
  /** Account ids by the names `access` uses. */
  readonly accountIds: Readonly<Record<string, string>>;
}

/**
 * `session_duration`: the provider checks only a length of 1 to 100
 * (internal/service/ssoadmin/permission_set.go); the service takes ISO-8601 from 1 to 12 hours.
 */
const SESSION_DURATION = /^PT(?:(\d{1,2})H)?(?:(\d{1,3})M)?$/;

/** Minutes of an ISO-8601 `PT#H#M` duration, or undefined when it is not one. */
export function sessionMinutes(duration: string): number | undefined {
  const m = SESSION_DURATION.exec(duration);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

/** The longest break-glass session: an administrator session nobody planned. */
export const BREAK_GLASS_MAX_MINUTES = 60;

/** Whether a permission set grants everything: AdministratorAccess, or an inline Allow of "*" on "*". */
export function grantsAdministrator(p: Pick<PermissionSetSpec, 'managedPolicies' | 'inlinePolicy'>): boolean {
  return (p.managedPolicies ?? []).includes('AdministratorAccess') || (p.inlinePolicy ?? []).some((s) => s.Effect === 'Allow' && s.Action.includes('*') && s.Resource.includes('*'));
}

/** The tag that marks the break-glass permission set (read by the SSO-* policy rules). */
export const ACCESS_TIER_TAG = 'AccessTier';

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * IAM Identity Center permission sets, the identity-store groups they are given to (looked
 * up by display name: groups come from the identity source, they are not created here) and
 * one account assignment per (group, permission set, account) of the access matrix.
 */
export class IdentityCenter extends Construct {
  /** Permission set ARNs by name. */
  public readonly permissionSetArns: Readonly<Record<string, string>>;
  /** The ARN of the IAM Identity Center instance. */
  public readonly instanceArn: string;

  constructor(scope: Construct, id: string, props: IdentityCenterProps) {
    super(scope, id);
    const access = props.access ?? [];
    const names = props.permissionSets.map((p) => p.name);
    const accounts = Object.keys(props.accountIds);
    const rules: Rule[] = [
      ...props.permissionSets.flatMap((p, i): Rule[] => {
        const minutes = sessionMinutes(p.sessionDuration);
        return [
          [!/^[\w+=,.@-]{1,32}$/.test(p.name), `permissionSets[${i}].name`, p.name, '1 to 32 of letters, digits and +=,.@_- (aws_ssoadmin_permission_set name)'],
          [p.description.length < 1 || p.description.length > 700, `permissionSets[${i}].description`, p.description, '1 to 700 characters'],
          [minutes === undefined || minutes < 60 || minutes > 720, `permissionSets[${i}].sessionDuration`, p.sessionDuration, 'an ISO-8601 duration from PT1H to PT12H'],
          [p.breakGlass === true && (minutes ?? 0) > BREAK_GLASS_MAX_MINUTES, `permissionSets[${i}].sessionDuration`, p.sessionDuration, 'PT1H for the break-glass permission set'],
          [!p.breakGlass && grantsAdministrator(p), `permissionSets[${i}]`, p.name, 'no AdministratorAccess and no "*" on "*" outside the break-glass permission set'],
        ];
      }),
      ...access.flatMap((g, i): Rule[] => [
        [!names.includes(g.permissionSet), `access[${i}].permissionSet`, g.permissionSet, `one of ${names.join(', ')}`],
        ...g.accounts.map((a, j): Rule => [!accounts.includes(a), `access[${i}].accounts[${j}]`, a, `one of ${accounts.join(', ')}`]),
      ]),
    ];
    checkProps(this, 'IdentityCenter', rules);

    // One instance per organization; the provider returns its ARN and identity store id as sets.
    const instances = new DataAwsSsoadminInstances(this, 'instances', {});
    this.instanceArn = Fn.element(Fn.tolist(instances.arns), 0);
    const identityStoreId = Fn.element(Fn.tolist(instances.identityStoreIds), 0);

    const arns: Record<string, string> = {};
    const provisioned: Record<string, ITerraformDependable[]> = {};
    for (const p of props.permissionSets) {
      const set = new SsoadminPermissionSet(this, `ps-${slug(p.name)}`, {
        name: p.name,
        description: p.description,
        instanceArn: this.instanceArn,
        sessionDuration: p.sessionDuration,
        tags: { [ACCESS_TIER_TAG]: p.breakGlass ? 'break-glass' : 'standard' },
      });
      arns[p.name] = set.arn;
      const common = { instanceArn: this.instanceArn, permissionSetArn: set.arn };
      provisioned[p.name] = [
        ...(p.managedPolicies ?? []).map((m) => new SsoadminManagedPolicyAttachment(this, `ps-${slug(p.name)}-managed-${slug(m)}`, { ...common, managedPolicyArn: managedPolicy(m) })),
        ...(p.customerManagedPolicies ?? []).map(
          (c) => new SsoadminCustomerManagedPolicyAttachment(this, `ps-${slug(p.name)}-customer-${slug(c.name)}`, { ...common, customerManagedPolicyReference: { name: c.name, path: c.path ?? '/' } }),
        ),
        ...(p.inlinePolicy ? [new SsoadminPermissionSetInlinePolicy(this, `ps-${slug(p.name)}-inline`, { ...common, inlinePolicy: policyDocument(...p.inlinePolicy) })] : []),
      ];
    }
    this.permissionSetArns = arns;

    const groups = new Map<string, string>();
    for (const g of new Set(access.map((a) => a.group))) {
      const group = new DataAwsIdentitystoreGroup(this, `group-${slug(g)}`, {
        identityStoreId,
        // filter was removed in provider 5.0: a unique attribute (DisplayName) identifies the group
        // (internal/service/identitystore/group_data_source.go).
        alternateIdentifier: { uniqueAttribute: { attributePath: 'DisplayName', attributeValue: g } },
      });
      groups.set(g, group.groupId);
    }
    for (const g of access) {
      for (const account of g.accounts) {
        new SsoadminAccountAssignment(this, `assign-${slug(g.group)}-${slug(g.permissionSet)}-${account}`, {
          instanceArn: this.instanceArn,
          permissionSetArn: arns[g.permissionSet],
          principalId: groups.get(g.group)!,
          principalType: 'GROUP',
          targetId: props.accountIds[account],
          targetType: 'AWS_ACCOUNT',
          // An assignment provisions the set into the account: its policies must be attached first,
          // or the role is created without them until the next provisioning.
          dependsOn: provisioned[g.permissionSet],
        });
      }
    }
  }
}
