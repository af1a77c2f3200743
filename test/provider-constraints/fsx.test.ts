/**
 * What the AWS provider (internal/service/fsx/windows_file_system.go) and the FSx API refuse,
 * for the Always On file-share witness; and what the witness needs to be useful: a directory
 * it can reach, and a zone of its own.
 */
import { TerraformJson } from '../helpers';
import { AWS_PROVIDER_SOURCE, accountStacks, copyOf, problemsIn, referenced, resources } from './aws';

/**
 * internal/service/fsx/windows_file_system.go: active_directory_id ConflictsWith
 * self_managed_active_directory (and the API needs one of them); deployment_type in
 * MULTI_AZ_1 / SINGLE_AZ_1 / SINGLE_AZ_2; storage_type SSD or HDD; storage_capacity from 32 to
 * 65536; throughput_capacity from 8 (IntBetween); automatic_backup_retention_days from 0 to 90.
 * The FSx API (CreateFileSystemWindowsConfiguration): MULTI_AZ_1 takes exactly two subnets and a
 * preferred_subnet_id among them, single-AZ types exactly one; SINGLE_AZ_2 and MULTI_AZ_1
 * need a throughput of at least 32 MB/s, a power of two.
 */
function fileSystemProblems(r: TerraformJson): string[] {
  const out: string[] = [];
  const ad = r.active_directory_id !== undefined;
  const selfManaged = r.self_managed_active_directory !== undefined;
  if (ad === selfManaged) out.push('exactly one of active_directory_id / self_managed_active_directory');
  const type = r.deployment_type ?? 'SINGLE_AZ_1';
  if (!['MULTI_AZ_1', 'SINGLE_AZ_1', 'SINGLE_AZ_2'].includes(type)) out.push(`deployment_type ${type}`);
  if (!['SSD', 'HDD'].includes(r.storage_type ?? 'SSD')) out.push(`storage_type ${r.storage_type}`);
  const subnets = (r.subnet_ids ?? []) as string[];
  if (type === 'MULTI_AZ_1' && (subnets.length !== 2 || !subnets.includes(r.preferred_subnet_id))) out.push('MULTI_AZ_1 needs two subnet_ids and a preferred_subnet_id among them');
  if (type !== 'MULTI_AZ_1' && subnets.length !== 1) out.push(`${type} takes exactly one subnet, got ${subnets.length}`);
  if (r.storage_capacity !== undefined && (r.storage_capacity < 32 || r.storage_capacity > 65536)) out.push(`storage_capacity ${r.storage_capacity}`);
  const throughput = r.throughput_capacity;
  if (throughput === undefined || throughput < (type === 'SINGLE_AZ_1' ? 8 : 32) || (throughput & (throughput - 1)) !== 0) out.push(`throughput_capacity ${throughput}`);
  const retention = r.automatic_backup_retention_days;
  if (retention !== undefined && (retention < 0 || retention > 90)) out.push(`automatic_backup_retention_days ${retention}`);
  return out;
}

/**
 * A witness the cluster can use: it joins a directory this stack creates in its own VPC (so
 * the share can resolve and reach the domain controllers), and sits in a zone with no node
 * (losing a zone then costs at most one vote of three).
 */
function witnessProblems(r: TerraformJson, json: TerraformJson): string[] {
  const out: string[] = [];
  if (r.active_directory_id !== undefined && referenced(json, r.active_directory_id)?.type !== 'aws_directory_service_directory') out.push(`active_directory_id ${r.active_directory_id} is not a directory of this stack`);
  const zoneOf = (subnet: string) => referenced(json, subnet)?.resource.availability_zone;
  const witnessZones = ((r.subnet_ids ?? []) as string[]).map(zoneOf);
  const nodeZones = resources(json, 'aws_instance').filter(([, i]) => i.tags?.SqlServerCluster).map(([, i]) => i.availability_zone);
  const shared = witnessZones.filter((z) => nodeZones.includes(z));
  if (shared.length > 0) out.push(`witness shares ${shared.join(', ')} with a node`);
  return out;
}

const checks = { aws_fsx_windows_file_system: (r: TerraformJson, json: TerraformJson) => [...fileSystemProblems(r), ...witnessProblems(r, json)] };

describe(`FSx for Windows: what ${AWS_PROVIDER_SOURCE} (internal/service/fsx/windows_file_system.go) and the FSx API require`, () => {
  const stacks = accountStacks();
  const withWitness = stacks.filter(([, json]) => resources(json, 'aws_fsx_windows_file_system').length > 0);
  const witness = (json: TerraformJson) => resources(json, 'aws_fsx_windows_file_system')[0][1];

  it('has a witness to check in the repository', () => {
    expect(withWitness.length).toBeGreaterThan(0);
  });

  it.each(stacks)('%s: every Windows file system meets the constraints', (_name, json) => {
    expect(problemsIn(json, checks)).toEqual([]);
  });

  const broken: Array<[string, (w: TerraformJson, json: TerraformJson) => void, RegExp]> = [
    ['a directory id from outside the stack (no network path to it)', (w) => (w.active_directory_id = 'd-95671a2b3c'), /is not a directory of this stack/],
    ['both a managed and a self-managed directory', (w) => (w.self_managed_active_directory = { dns_ips: ['10.0.0.2'], domain_name: 'corp', password: 'x', username: 'y' }), /exactly one of active_directory_id/],
    ['a witness in a node\'s zone', (w, json) => {
      const node = resources(json, 'aws_instance')[0][1];
      const [name] = resources(json, 'aws_subnet').find(([n, s]) => n.includes('private') && s.availability_zone === node.availability_zone)!;
      w.subnet_ids = [`\${aws_subnet.${name}.id}`];
    }, /witness shares ap-northeast-1a with a node/],
    ['MULTI_AZ_1 with one subnet', (w) => (w.deployment_type = 'MULTI_AZ_1'), /MULTI_AZ_1 needs two subnet_ids/],
    ['a throughput FSx does not offer', (w) => (w.throughput_capacity = 48), /throughput_capacity 48/],
  ];
  it.each(broken)('catches %s', (_what, breakIt, expected) => {
    const json = copyOf(withWitness[0][1]);
    breakIt(witness(json), json);
    expect(problemsIn(json, checks).join('\n')).toMatch(expected);
  });
});
