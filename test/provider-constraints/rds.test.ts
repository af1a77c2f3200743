/**
 * What the AWS provider (internal/service/rds/) and the RDS API refuse at plan or apply time
 * and the typed bindings do not, for the resources AuroraCluster and SqlServerCluster emit.
 * The rules run over every account of the repository and over deliberately broken copies.
 */
import { TerraformJson } from '../helpers';
import { AWS_PROVIDER_SOURCE, accountStacks, copyOf, literalParts, problemsIn, referenced, resources } from './aws';

/** internal/service/rds/validate.go, validIdentifier: lower-case letters, digits, hyphens; a letter first; no "--"; no trailing "-". */
function identifierProblems(field: string, v: unknown): string[] {
  const s = String(v);
  if (!/^[0-9a-z-]+$/.test(s) || !/^[a-z]/.test(s) || s.includes('--') || s.endsWith('-')) return [`${field} ${s} fails validIdentifier`];
  return [];
}

/**
 * internal/service/rds/cluster.go and instance.go, final_snapshot_identifier: letters, digits
 * and hyphens, no "--", no trailing "-", at most 255 characters; required when
 * skip_final_snapshot is false (the destroy fails without it). RDS refuses an identifier that
 * already exists (DBSnapshotAlreadyExists / DBClusterSnapshotAlreadyExistsFault), so a
 * literal identifier works for one destroy only: it must carry an interpolated part.
 */
function finalSnapshotProblems(r: TerraformJson, json: TerraformJson): string[] {
  if (r.skip_final_snapshot === true) return [];
  const id = r.final_snapshot_identifier;
  if (typeof id !== 'string' || id === '') return ['skip_final_snapshot is false but final_snapshot_identifier is missing'];
  const literal = literalParts(id);
  const out: string[] = [];
  if (!/^[0-9A-Za-z-]*$/.test(literal) || literal.includes('--') || id.endsWith('-')) out.push(`final_snapshot_identifier ${id} fails the validator`);
  if (literal.length + 14 > 255) out.push('final_snapshot_identifier may exceed 255 characters');
  if (literal === id) out.push(`final_snapshot_identifier ${id} is the same for every destroy`);
  const created = /terraform_data\.([\w-]+)\.output/.exec(id);
  if (created && !json.resource?.terraform_data?.[created[1]]) out.push('final_snapshot_identifier names a terraform_data that does not exist');
  return out;
}

/**
 * Provider docs for aws_db_instance / aws_rds_cluster (engine_version): with automatic minor
 * version upgrades on, a full engine_version drifts when AWS upgrades, and the next apply
 * asks RDS for a downgrade, which it refuses. The repository pins full versions, so minor
 * upgrades are off everywhere.
 */
const pinnedVersion = (r: TerraformJson) => (r.auto_minor_version_upgrade === false ? [] : [`auto_minor_version_upgrade is ${r.auto_minor_version_upgrade} with engine_version pinned`]);

/** internal/service/rds/instance.go and cluster.go: manage_master_user_password ConflictsWith password / master_password. */
const oneMasterPassword = (passwordField: string) => (r: TerraformJson) => (r.manage_master_user_password && r[passwordField] !== undefined ? [`manage_master_user_password conflicts with ${passwordField}`] : []);

/** internal/service/rds/consts.go, the exportable log types the instance.go and cluster.go validators accept. */
const INSTANCE_LOGS = ['agent', 'alert', 'audit', 'error', 'general', 'iam-db-auth-error', 'listener', 'oemagent', 'postgresql', 'slowquery', 'trace', 'upgrade'];
const CLUSTER_LOGS = ['audit', 'error', 'general', 'iam-db-auth-error', 'instance', 'postgresql', 'slowquery'];
const exportsIn = (allowed: string[]) => (r: TerraformJson) => ((r.enabled_cloudwatch_logs_exports ?? []) as string[]).filter((l) => !allowed.includes(l)).map((l) => `log export ${l} is not one of ${allowed.join(', ')}`);

/** internal/service/rds/parameter_group.go and cluster_parameter_group.go: apply_method is "immediate" or "pending-reboot". */
const applyMethods = (r: TerraformJson) =>
  ((r.parameter ?? []) as Array<{ name: string; apply_method?: string }>).filter((p) => p.apply_method !== undefined && !['immediate', 'pending-reboot'].includes(p.apply_method)).map((p) => `parameter ${p.name} apply_method ${p.apply_method}`);

/** internal/service/rds/validate.go, validParamGroupNamePrefix / validOptionGroupNamePrefix. */
const namePrefix = (r: TerraformJson) => (r.name_prefix !== undefined && (!/^[0-9a-z-]+$/.test(r.name_prefix) || !/^[a-z]/.test(r.name_prefix) || r.name_prefix.includes('--')) ? [`name_prefix ${r.name_prefix}`] : []);

/**
 * Aurora MySQL writes audit, slow query and general logs only when its parameters turn them
 * on, and exports them only from files:
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html
 */
function mysqlLogsEnabled(r: TerraformJson, json: TerraformJson): string[] {
  if (r.engine !== 'aurora-mysql') return [];
  const group = referenced(json, r.db_cluster_parameter_group_name)?.resource;
  const values = Object.fromEntries(((group?.parameter ?? []) as Array<{ name: string; value: string }>).map((p) => [p.name, p.value]));
  const exports = (r.enabled_cloudwatch_logs_exports ?? []) as string[];
  const out: string[] = [];
  if (exports.includes('audit') && values.server_audit_logging !== '1') out.push('exports audit but server_audit_logging is not 1');
  if (exports.includes('slowquery') && values.slow_query_log !== '1') out.push('exports slowquery but slow_query_log is not 1');
  if (exports.includes('general') && values.general_log !== '1') out.push('exports general but general_log is not 1');
  if ((exports.includes('slowquery') || exports.includes('general')) && values.log_output !== 'FILE') out.push('exports slowquery/general but log_output is not FILE');
  return out;
}

/** internal/service/rds/instance.go: domain needs domain_iam_role_name (RequiredWith). */
const domainRole = (r: TerraformJson) => (r.domain !== undefined && r.domain_iam_role_name === undefined ? ['domain without domain_iam_role_name'] : []);

const checks: Record<string, (r: TerraformJson, json: TerraformJson) => string[]> = {
  aws_rds_cluster: (r, json) => [
    ...identifierProblems('cluster_identifier', r.cluster_identifier),
    ...finalSnapshotProblems(r, json),
    ...oneMasterPassword('master_password')(r),
    ...exportsIn(CLUSTER_LOGS)(r),
    ...mysqlLogsEnabled(r, json),
  ],
  aws_rds_cluster_instance: (r) => [...identifierProblems('identifier', r.identifier), ...pinnedVersion(r)],
  aws_db_instance: (r, json) => [
    ...identifierProblems('identifier', r.identifier),
    ...finalSnapshotProblems(r, json),
    ...oneMasterPassword('password')(r),
    ...pinnedVersion(r),
    ...exportsIn(INSTANCE_LOGS)(r),
    ...domainRole(r),
  ],
  aws_rds_cluster_parameter_group: (r) => [...applyMethods(r), ...namePrefix(r)],
  aws_db_parameter_group: (r) => [...applyMethods(r), ...namePrefix(r)],
  aws_db_option_group: (r) => namePrefix(r),
};

describe(`RDS and Aurora: what ${AWS_PROVIDER_SOURCE} (internal/service/rds/) and the RDS API require`, () => {
  const stacks = accountStacks();
  const production = stacks.find(([name]) => name === 'production')![1];
  const first = (json: TerraformJson, type: string, engine?: string) => resources(json, type).find(([, r]) => engine === undefined || r.engine === engine)![1];

  it('has database resources to check in the repository', () => {
    for (const type of ['aws_rds_cluster', 'aws_rds_cluster_instance', 'aws_db_instance']) expect(stacks.some(([, json]) => resources(json, type).length > 0)).toBe(true);
  });

  it.each(stacks)('%s: every RDS resource meets the constraints', (_name, json) => {
    expect(problemsIn(json, checks)).toEqual([]);
  });

  const broken: Array<[string, (json: TerraformJson) => void, RegExp]> = [
    ['a fixed final snapshot identifier (the second destroy fails)', (j) => (first(j, 'aws_rds_cluster').final_snapshot_identifier = 'restaurant-final'), /is the same for every destroy/],
    ['a final snapshot identifier with a double hyphen', (j) => (first(j, 'aws_rds_cluster').final_snapshot_identifier = 'restaurant--final-${terraform_data.x.output.at}'), /fails the validator/],
    ['no final snapshot identifier while skip_final_snapshot is false', (j) => delete first(j, 'aws_rds_cluster').final_snapshot_identifier, /final_snapshot_identifier is missing/],
    ['automatic minor upgrades with a pinned version', (j) => (first(j, 'aws_rds_cluster_instance').auto_minor_version_upgrade = true), /auto_minor_version_upgrade is true/],
    ['Aurora MySQL exporting audit logs it never writes', (j) => {
      const group = referenced(j, first(j, 'aws_rds_cluster', 'aurora-mysql').db_cluster_parameter_group_name)!.resource;
      group.parameter = group.parameter.filter((p: { name: string }) => p.name !== 'server_audit_logging');
    }, /exports audit but server_audit_logging is not 1/],
    ['slow query logs written to a table', (j) => {
      const group = referenced(j, first(j, 'aws_rds_cluster', 'aurora-mysql').db_cluster_parameter_group_name)!.resource;
      group.parameter.find((p: { name: string }) => p.name === 'log_output').value = 'TABLE';
    }, /log_output is not FILE/],
    ['an identifier ending in a hyphen', (j) => (first(j, 'aws_rds_cluster_instance').identifier = 'restaurant-'), /fails validIdentifier/],
    ['a parameter apply method RDS does not know', (j) => (first(j, 'aws_rds_cluster_parameter_group').parameter[0].apply_method = 'now'), /apply_method now/],
    ['a managed master password beside a literal one', (j) => (first(j, 'aws_rds_cluster').master_password = 'x'), /conflicts with master_password/],
  ];
  it.each(broken)('catches %s', (_what, breakIt, expected) => {
    const json = copyOf(production);
    breakIt(json);
    expect(problemsIn(json, checks).join('\n')).toMatch(expected);
  });

  it('catches an RDS SQL Server that joins a domain without its role, and an unknown log export (staging)', () => {
    const json = copyOf(stacks.find(([name]) => name === 'staging')![1]);
    const db = first(json, 'aws_db_instance');
    Object.assign(db, { domain: 'd-1234567890', enabled_cloudwatch_logs_exports: ['agent', 'errors'] });
    const found = problemsIn(json, checks).join('\n');
    expect(found).toMatch(/domain without domain_iam_role_name/);
    expect(found).toMatch(/log export errors/);
  });
});
