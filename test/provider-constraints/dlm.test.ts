/**
 * What the AWS provider (internal/service/dlm/lifecycle_policy.go) and the DLM API refuse,
 * for the snapshot policy of the SQL Server Always On nodes; and that the policy snapshots
 * each node's volumes together.
 */
import { TerraformJson } from '../helpers';
import { AWS_PROVIDER_SOURCE, accountStacks, block, copyOf, problemsIn, resources } from './aws';

/**
 * internal/service/dlm/lifecycle_policy.go: description matches ^[0-9A-Za-z _-]+$ (at most 500);
 * execution_role_arn required; policy_details.resource_types in VOLUME / INSTANCE; target_tags
 * for EBS snapshot policies; schedule create_rule interval in 1, 2, 3, 4, 6, 8, 12, 24 with
 * interval_unit HOURS and at most one time "hh:mm"; retain_rule count from 1 to 1000.
 * The DLM API (PolicyDetails.Parameters): exclude_boot_volume applies to INSTANCE policies only.
 */
function policyProblems(r: TerraformJson): string[] {
  const out: string[] = [];
  if (!/^[0-9A-Za-z _-]{1,500}$/.test(String(r.description))) out.push(`description ${JSON.stringify(r.description)} does not match ^[0-9A-Za-z _-]+$`);
  if (!r.execution_role_arn) out.push('execution_role_arn missing');
  const details = block(r.policy_details);
  if (!details) return [...out, 'policy_details missing'];
  const types = (details.resource_types ?? []) as string[];
  if (types.length === 0 || types.some((t) => !['VOLUME', 'INSTANCE'].includes(t))) out.push(`resource_types ${JSON.stringify(types)}`);
  if ((details.policy_type ?? 'EBS_SNAPSHOT_MANAGEMENT') === 'EBS_SNAPSHOT_MANAGEMENT' && Object.keys(details.target_tags ?? {}).length === 0) out.push('target_tags missing');
  const parameters = block(details.parameters);
  if (parameters?.exclude_boot_volume !== undefined && !types.includes('INSTANCE')) out.push('exclude_boot_volume on a VOLUME policy');
  for (const schedule of (details.schedule ?? []) as TerraformJson[]) {
    const create = block(schedule.create_rule);
    if (create && ![1, 2, 3, 4, 6, 8, 12, 24].includes(create.interval)) out.push(`interval ${create.interval}`);
    if (create && (create.interval_unit ?? 'HOURS') !== 'HOURS') out.push(`interval_unit ${create.interval_unit}`);
    if (create && ((create.times ?? []).length > 1 || (create.times ?? []).some((t: string) => !/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(t)))) out.push(`times ${JSON.stringify(create.times)}`);
    const count = block(schedule.retain_rule)?.count;
    if (count !== undefined && (count < 1 || count > 1000)) out.push(`retain_rule count ${count}`);
  }
  return out;
}

/**
 * A database node's data and log volumes must be snapshotted at the same moment (a
 * multi-volume, crash-consistent set): resource type INSTANCE, targeting the nodes by tag.
 * https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-lifecycle.html (instance policies)
 */
function nodesSnapshotTogether(r: TerraformJson, json: TerraformJson): string[] {
  const details = block(r.policy_details)!;
  const tags = Object.entries((details.target_tags ?? {}) as Record<string, string>);
  const nodes = resources(json, 'aws_instance').filter(([, i]) => tags.every(([k, v]) => i.tags?.[k] === v));
  const volumes = resources(json, 'aws_ebs_volume').filter(([, v]) => tags.every(([k, val]) => v.tags?.[k] === val));
  const out: string[] = [];
  if (!(details.resource_types ?? []).includes('INSTANCE')) out.push('snapshots volume by volume (resource_types has no INSTANCE)');
  if (nodes.length === 0) out.push('target_tags select no instance');
  if (volumes.length > 0) out.push('target_tags also select volumes one by one');
  return out;
}

const checks = { aws_dlm_lifecycle_policy: (r: TerraformJson, json: TerraformJson) => [...policyProblems(r), ...nodesSnapshotTogether(r, json)] };

describe(`DLM: what ${AWS_PROVIDER_SOURCE} (internal/service/dlm/lifecycle_policy.go) and the DLM API require`, () => {
  const stacks = accountStacks();
  const withPolicy = stacks.filter(([, json]) => resources(json, 'aws_dlm_lifecycle_policy').length > 0);
  const policy = (json: TerraformJson) => resources(json, 'aws_dlm_lifecycle_policy')[0][1];

  it('has a snapshot policy to check in the repository', () => {
    expect(withPolicy.length).toBeGreaterThan(0);
  });

  it.each(stacks)('%s: every lifecycle policy meets the constraints', (_name, json) => {
    expect(problemsIn(json, checks)).toEqual([]);
  });

  const broken: Array<[string, (p: TerraformJson) => void, RegExp]> = [
    ['a description with a colon', (p) => (p.description = 'hotel-core: daily snapshots'), /does not match/],
    ['volume-by-volume snapshots', (p) => (p.policy_details.resource_types = ['VOLUME']), /snapshots volume by volume/],
    ['an interval DLM does not offer', (p) => (p.policy_details.schedule[0].create_rule.interval = 5), /interval 5/],
    ['two snapshot times', (p) => (p.policy_details.schedule[0].create_rule.times = ['01:00', '13:00']), /times/],
    ['a retention of 0', (p) => (p.policy_details.schedule[0].retain_rule.count = 0), /retain_rule count 0/],
    ['no target tags', (p) => (p.policy_details.target_tags = {}), /target_tags missing/],
  ];
  it.each(broken)('catches %s', (_what, breakIt, expected) => {
    const json = copyOf(withPolicy[0][1]);
    breakIt(policy(json));
    expect(problemsIn(json, checks).join('\n')).toMatch(expected);
  });
});
