/**
 * What the AWS provider (internal/service/ec2/ec2_instance.go, ebs_volume.go,
 * ebs_volume_attachment.go) and the EC2 API refuse, for the SQL Server Always On nodes and
 * their volumes.
 */
import { TerraformJson } from '../helpers';
import { AWS_PROVIDER_SOURCE, accountStacks, block, copyOf, problemsIn, referenced, resources } from './aws';

/**
 * ec2_instance.go: primary_network_interface conflicts with subnet_id, private_ip,
 * secondary_private_ips, vpc_security_group_ids, security_groups, associate_public_ip_address
 * and network_interface (the interface carries them); metadata_options http_tokens is
 * "optional" or "required", http_put_response_hop_limit from 1 to 64.
 */
function instanceProblems(r: TerraformJson): string[] {
  const out: string[] = [];
  if (r.primary_network_interface !== undefined) {
    for (const k of ['subnet_id', 'private_ip', 'secondary_private_ips', 'vpc_security_group_ids', 'security_groups', 'associate_public_ip_address', 'network_interface']) {
      if (r[k] !== undefined) out.push(`${k} conflicts with primary_network_interface`);
    }
  }
  const metadata = block(r.metadata_options);
  if (metadata?.http_tokens !== undefined && !['optional', 'required'].includes(metadata.http_tokens)) out.push(`http_tokens ${metadata.http_tokens}`);
  const hops = metadata?.http_put_response_hop_limit;
  if (hops !== undefined && (hops < 1 || hops > 64)) out.push(`http_put_response_hop_limit ${hops}`);
  return out;
}

/**
 * ebs_volume.go and the EC2 API (CreateVolume): gp3 takes 3000-16000 IOPS and 125-1000 MiB/s;
 * throughput is for gp3 only; io2 needs iops; size up to 16384 GiB; kms_key_id needs
 * encrypted = true.
 */
function volumeProblems(r: TerraformJson): string[] {
  const out: string[] = [];
  const type = r.type ?? 'gp2';
  if (type === 'gp3' && r.iops !== undefined && (r.iops < 3000 || r.iops > 16000)) out.push(`gp3 iops ${r.iops}`);
  if (type === 'gp3' && r.throughput !== undefined && (r.throughput < 125 || r.throughput > 1000)) out.push(`gp3 throughput ${r.throughput}`);
  // gp3 ratios: at most 500 IOPS per GiB and 0.25 MiB/s per IOPS
  // (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html#gp3-ebs-volume-type).
  if (type === 'gp3' && r.size !== undefined && (r.iops ?? 3000) > 500 * r.size) out.push(`gp3 iops ${r.iops ?? 3000} above 500 per GiB of ${r.size}`);
  if (type === 'gp3' && (r.throughput ?? 125) > (r.iops ?? 3000) / 4) out.push(`gp3 throughput ${r.throughput} above 0.25 MiB/s per IOPS`);
  if (type !== 'gp3' && r.throughput !== undefined) out.push(`throughput on ${type}`);
  if (type === 'io2' && r.iops === undefined) out.push('io2 without iops');
  if (r.size !== undefined && (r.size < 1 || r.size > 16384)) out.push(`size ${r.size}`);
  if (r.kms_key_id !== undefined && r.encrypted !== true) out.push('kms_key_id without encrypted');
  return out;
}

/**
 * ebs_volume_attachment.go: device_name, instance_id and volume_id are required; with
 * stop_instance_before_detaching the provider calls StopInstances before DetachVolume, which
 * EC2 refuses for an instance with disable_api_stop ("OperationNotPermitted"):
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-stop-protection.html
 */
function attachmentProblems(r: TerraformJson, json: TerraformJson): string[] {
  const out: string[] = [];
  if (!r.device_name || !r.instance_id || !r.volume_id) out.push('device_name, instance_id and volume_id are required');
  const instance = referenced(json, r.instance_id)?.resource;
  if (r.stop_instance_before_detaching === true && instance?.disable_api_stop === true) out.push('stop_instance_before_detaching on an instance with disable_api_stop: the detach can never happen');
  return out;
}

const checks = { aws_instance: instanceProblems, aws_ebs_volume: volumeProblems, aws_volume_attachment: attachmentProblems };

describe(`EC2: what ${AWS_PROVIDER_SOURCE} (internal/service/ec2/) and the EC2 API require`, () => {
  const stacks = accountStacks();
  const withNodes = stacks.filter(([, json]) => resources(json, 'aws_volume_attachment').length > 0);
  const first = (json: TerraformJson, type: string) => resources(json, type)[0][1];

  it('has instances and attached volumes to check in the repository', () => {
    expect(withNodes.length).toBeGreaterThan(0);
  });

  it.each(stacks)('%s: every instance, volume and attachment meets the constraints', (_name, json) => {
    expect(problemsIn(json, checks)).toEqual([]);
  });

  const broken: Array<[string, (json: TerraformJson) => void, RegExp]> = [
    ['stop-before-detach on a stop-protected node', (j) => (first(j, 'aws_volume_attachment').stop_instance_before_detaching = true), /the detach can never happen/],
    ['a subnet beside the primary network interface', (j) => (first(j, 'aws_instance').subnet_id = 'subnet-1'), /subnet_id conflicts with primary_network_interface/],
    ['gp3 beyond its IOPS', (j) => (first(j, 'aws_ebs_volume').iops = 20000), /gp3 iops 20000/],
    ['gp3 throughput above 0.25 MiB/s per IOPS', (j) => Object.assign(first(j, 'aws_ebs_volume'), { iops: 3000, throughput: 1000 }), /above 0.25 MiB\/s per IOPS/],
    ['throughput on io2', (j) => Object.assign(first(j, 'aws_ebs_volume'), { type: 'io2', iops: 10000 }), /throughput on io2/],
  ];
  it.each(broken)('catches %s', (_what, breakIt, expected) => {
    const json = copyOf(withNodes[0][1]);
    breakIt(json);
    expect(problemsIn(json, checks).join('\n')).toMatch(expected);
  });
});
