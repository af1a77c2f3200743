import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, TerraformResource, Token } from 'cdktf';
import { Construct } from 'constructs';
import { accountIdOf, attachManagedPolicies, serviceTrust } from '../core/iam';
import { Rule } from '../core/validation';
import { SubnetRef } from '../network/network';

/**
 * Pieces every database construct shares, so Aurora and SQL Server build them one way:
 * an encryption key, a subnet group, a security group that admits only the given
 * security groups, and the enhanced-monitoring role.
 */

/** A customer managed KMS key with yearly rotation, or the one given. */
export function encryptionKey(scope: Construct, name: string, given: string | undefined): string {
  if (given) return given;
  const key = new KmsKey(scope, 'key', {
    description: `Encrypts ${name}: storage, snapshots, Performance Insights and its secret`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
  });
  new KmsAlias(scope, 'key-alias', { name: `alias/${name}`, targetKeyId: key.keyId });
  return key.arn;
}

export function subnetGroup(scope: Construct, name: string, subnets: readonly SubnetRef[]): DbSubnetGroup {
  return new DbSubnetGroup(scope, 'subnet-group', {
    name,
    description: `Subnets of ${name}`,
    subnetIds: subnets.map((s) => s.id),
  });
}

/** A security group admitting `port` from exactly `allowed` (never a CIDR). */
export function clientSecurityGroup(
  scope: Construct,
  name: string,
  vpcId: string,
  port: number,
  allowed: readonly string[],
): SecurityGroup {
  const sg = new SecurityGroup(scope, 'security-group', {
    namePrefix: `${name}-`,
    description: `Clients of ${name} on ${port}`,
    vpcId,
    lifecycle: { createBeforeDestroy: true },
  });
  allowed.forEach(
    (source, i) =>
      new VpcSecurityGroupIngressRule(scope, `client-${i}`, {
        securityGroupId: sg.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: source,
        description: `Database clients (${i})`,
      }),
  );
  return sg;
}

/** The role RDS enhanced monitoring uses to publish OS metrics. */
export function monitoringRole(scope: Construct, name: string): IamRole {
  const role = new IamRole(scope, 'monitoring-role', {
    name: `${name}-rds-monitoring`,
    // Enhanced monitoring assumes the role on behalf of this account's DB instances
    // (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html, confused deputy).
    assumeRolePolicy: serviceTrust('monitoring.rds.amazonaws.com', accountIdOf(scope)),
  });
  attachManagedPolicies(scope, 'monitoring-role', role.name, ['service-role/AmazonRDSEnhancedMonitoringRole']);
  return role;
}

/**
 * Terraform's built-in `terraform_data` resource. cdktf's own `DataResource` adds a check
 * that runs the local `terraform version` at synth (cdktf/lib/terraform-data-resource.js,
 * ValidateTerraformVersion ">=1.4"): synth would then fail on every machine without a
 * terraform binary, which `npm start` must not need. The version is guaranteed instead by
 * `.terraform-version` (1.13), which every workflow installs.
 */
class TerraformData extends TerraformResource {
  constructor(scope: Construct, id: string, private readonly input: Record<string, string>, ignoreChanges: string[]) {
    super(scope, id, { terraformResourceType: 'terraform_data', terraformGeneratorMetadata: { providerName: 'terraform' }, lifecycle: { ignoreChanges } });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { input: this.input };
  }
}

/**
 * A final snapshot identifier unique to this database's life: `<name>-final-<created>`,
 * where `<created>` is the time of the first apply (UTC, YYYYMMDDhhmmss), kept in a
 * `terraform_data` whose later changes are ignored. RDS refuses a final snapshot whose
 * identifier already exists, so a fixed `<name>-final` works for the first destroy only.
 * The result matches the provider's final_snapshot_identifier validator (letters, digits
 * and hyphens, no "--", no trailing hyphen) for any name DB_IDENTIFIER accepts.
 */
export function finalSnapshotIdentifier(scope: Construct, name: string): string {
  const created = new TerraformData(scope, 'created-at', { at: '${plantimestamp()}' }, ['input']);
  return `${name}-final-${Fn.formatdate('YYYYMMDDhhmmss', Token.asString(created.interpolationForAttribute('output.at')))}`;
}

/** RDS identifiers: 1-63 letters, digits or hyphens, starting with a letter. */
export const DB_IDENTIFIER = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
/** Enhanced monitoring accepts only these intervals (seconds; 0 turns it off). */
export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;
/** `hh24:mi-hh24:mi` in UTC. */
export const BACKUP_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
/** `ddd:hh24:mi-ddd:hh24:mi` in UTC. */
export const MAINTENANCE_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEK = 7 * 24 * 60;
const minuteOfDay = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `[start, length]` in minutes of the week; a window may wrap past midnight or Sunday. */
function weeklySpans(backupWindow: string): Array<[number, number]> {
  const [from, to] = backupWindow.split('-').map(minuteOfDay);
  const length = (to - from + 1440) % 1440;
  return DAYS.map((_, day) => [day * 1440 + from, length]);
}

function maintenanceSpan(maintenanceWindow: string): [number, number] {
  const [from, to] = maintenanceWindow.split('-').map((p) => DAYS.indexOf(p.slice(0, 3)) * 1440 + minuteOfDay(p.slice(4)));
  return [from, (to - from + WEEK) % WEEK];
}

function overlaps([a, aLength]: [number, number], [b, bLength]: [number, number]): boolean {
  // Compare on the week's circle: b starts inside a, or a starts inside b.
  return (b - a + WEEK) % WEEK < aLength || (a - b + WEEK) % WEEK < bLength;
}

/**
 * RDS refuses a backup window that conflicts with the maintenance window, and either
 * window shorter than 30 minutes ("Must not conflict with the preferred maintenance
 * window. Must be at least 30 minutes.": PreferredBackupWindow and
 * PreferredMaintenanceWindow in the RDS API reference, CreateDBInstance / CreateDBCluster).
 * ElastiCache asks for 60 minutes (`minimumMinutes`): see constructs/cache.
 * Malformed windows are left to the format rules.
 */
export function windowRules(backupProp: string, backupWindow: string, maintenanceProp: string, maintenanceWindow: string, minimumMinutes = 30): Rule[] {
  if (!BACKUP_WINDOW.test(backupWindow) || !MAINTENANCE_WINDOW.test(maintenanceWindow)) return [];
  const maintenance = maintenanceSpan(maintenanceWindow);
  const [, backupLength] = weeklySpans(backupWindow)[0];
  return [
    [backupLength < minimumMinutes, backupProp, backupWindow, `a window of at least ${minimumMinutes} minutes`],
    [maintenance[1] < minimumMinutes, maintenanceProp, maintenanceWindow, `a window of at least ${minimumMinutes} minutes`],
    [weeklySpans(backupWindow).some((b) => overlaps(b, maintenance)), maintenanceProp, maintenanceWindow, `a window that does not overlap ${backupProp} (${backupWindow} UTC, every day)`],
  ];
}
