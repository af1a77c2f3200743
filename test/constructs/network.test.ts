import { Network, NetworkProps, subnetCidr } from '../../constructs/network/network';
import { errorOf, onlyResource, resourcesOf, synthConstructs, testSubnets } from '../helpers';

const zones = ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'];
const synth = (props: NetworkProps) => synthConstructs((stack) => new Network(stack, 'net', props));

describe('Network: creating a VPC', () => {
  const json = synth({ cidrBlock: '10.10.0.0/16', availabilityZones: zones });

  it('creates the VPC with DNS on', () => {
    expect(onlyResource(json, 'aws_vpc')).toMatchObject({ cidr_block: '10.10.0.0/16', enable_dns_hostnames: true, enable_dns_support: true });
  });

  it('creates public, private and isolated subnets in each zone, on /20 blocks', () => {
    const subnets = Object.values(resourcesOf(json, 'aws_subnet'));
    expect(subnets).toHaveLength(9);
    const byTier = (tier: string) => subnets.filter((s) => s.tags.Tier === tier).map((s) => [s.availability_zone, s.cidr_block]);
    expect(byTier('public')).toEqual([['ap-northeast-1a', '10.10.0.0/20'], ['ap-northeast-1c', '10.10.16.0/20'], ['ap-northeast-1d', '10.10.32.0/20']]);
    expect(byTier('private')).toEqual([['ap-northeast-1a', '10.10.64.0/20'], ['ap-northeast-1c', '10.10.80.0/20'], ['ap-northeast-1d', '10.10.96.0/20']]);
    expect(byTier('isolated')).toEqual([['ap-northeast-1a', '10.10.128.0/20'], ['ap-northeast-1c', '10.10.144.0/20'], ['ap-northeast-1d', '10.10.160.0/20']]);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  it('puts a NAT gateway in each zone by default, each private table routing to its own', () => {
    expect(Object.keys(resourcesOf(json, 'aws_nat_gateway'))).toHaveLength(3);
    const natRoutes = Object.values(resourcesOf(json, 'aws_route')).filter((r) => r.nat_gateway_id);
    expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(3);
  });

  it('gives the isolated subnets no route out', () => {
    const tables = Object.keys(resourcesOf(json, 'aws_route_table'));
    const isolated = tables.filter((k) => k.includes('isolated-routes'));
    expect(isolated).toHaveLength(1);
    const routeTables = Object.values(resourcesOf(json, 'aws_route')).map((r) => String(r.route_table_id));
    expect(routeTables.filter((t) => t.includes(`aws_route_table.${isolated[0]}.`))).toEqual([]);
    const associations = Object.values(resourcesOf(json, 'aws_route_table_association')).filter((a) => String(a.route_table_id).includes(isolated[0]));
    expect(associations).toHaveLength(3);
  });

  it('can share one NAT gateway, or have none', () => {
    const single = synth({ cidrBlock: '10.10.0.0/16', availabilityZones: zones, natGateways: 'single' });
    expect(Object.keys(resourcesOf(single, 'aws_nat_gateway'))).toHaveLength(1);
    expect(Object.values(resourcesOf(single, 'aws_route')).filter((r) => r.nat_gateway_id)).toHaveLength(3);
    const none = synth({ cidrBlock: '10.10.0.0/16', availabilityZones: zones, natGateways: 'none' });
    expect(resourcesOf(none, 'aws_nat_gateway')).toEqual({});
    expect(Object.values(resourcesOf(none, 'aws_route')).filter((r) => r.nat_gateway_id)).toEqual([]);
  });

  it('logs all traffic to CloudWatch Logs with retention, through a scoped role', () => {
    expect(onlyResource(json, 'aws_flow_log')).toMatchObject({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    expect(onlyResource(json, 'aws_cloudwatch_log_group').retention_in_days).toBe(365);
    const policy = JSON.parse(onlyResource(json, 'aws_iam_role_policy').policy);
    expect(policy.Statement[0].Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams']);
    expect(policy.Statement[0].Resource).toMatch(/aws_cloudwatch_log_group\..*\.arn\}:\*$/);
  });

  it('strips every rule from the default security group', () => {
    expect(onlyResource(json, 'aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
  });
});

describe('Network: adopting a VPC', () => {
  it('creates nothing and hands out the given ids', () => {
    let network!: Network;
    const existing = { vpcId: 'vpc-0abc', publicSubnets: testSubnets('pub'), privateSubnets: testSubnets('prv'), isolatedSubnets: testSubnets('iso') };
    const json = synthConstructs((stack) => (network = new Network(stack, 'net', { existing })));
    expect(json.resource).toBeUndefined();
    expect(network.vpcId).toBe('vpc-0abc');
    expect(network.privateSubnets.map((s) => s.id)).toEqual(['subnet-prv0', 'subnet-prv1', 'subnet-prv2']);
  });
});

describe('Network: validation', () => {
  it('wants exactly one of cidrBlock or existing', () => {
    expect(errorOf(() => synth({}))).toContain('cidrBlock / existing: got nothing, expected exactly one of cidrBlock (create a VPC) or existing (adopt one)');
  });

  it('refuses a CIDR that is not /16 to /24 or has host bits set', () => {
    expect(errorOf(() => synth({ cidrBlock: '10.0.0.0/8', availabilityZones: zones }))).toContain('cidrBlock: got "10.0.0.0/8", expected an IPv4 CIDR block from /16 to /24');
    expect(errorOf(() => synth({ cidrBlock: '10.0.0.1/16', availabilityZones: zones }))).toContain('cidrBlock: got "10.0.0.1/16"');
  });

  it('refuses a single zone', () => {
    expect(errorOf(() => synth({ cidrBlock: '10.0.0.0/16', availabilityZones: ['ap-northeast-1a'] }))).toContain('availabilityZones: got ["ap-northeast-1a"], expected 2 to 4 distinct zones');
  });

  it('refuses adopted subnets all in one zone', () => {
    const oneZone = [{ id: 'subnet-1', availabilityZone: 'ap-northeast-1a' }];
    const existing = { vpcId: 'vpc-1', publicSubnets: testSubnets('a'), privateSubnets: oneZone, isolatedSubnets: testSubnets('b') };
    expect(errorOf(() => synth({ existing }))).toContain('existing.privateSubnets: got ["subnet-1"], expected subnets in at least 2 availability zones');
  });

  it('refuses a retention CloudWatch Logs does not offer', () => {
    expect(errorOf(() => synth({ cidrBlock: '10.0.0.0/16', availabilityZones: zones, flowLogRetentionDays: 100 }))).toContain('flowLogRetentionDays: got 100');
  });

  it('names the construct path in the message', () => {
    expect(errorOf(() => synth({}))).toMatch(/^Network test\/net: /);
  });
});

describe('subnetCidr', () => {
  it('computes like Terraform cidrsubnet', () => {
    expect(subnetCidr('10.0.0.0/16', 4, 0)).toBe('10.0.0.0/20');
    expect(subnetCidr('10.0.0.0/16', 4, 15)).toBe('10.0.240.0/20');
    expect(subnetCidr('192.168.0.0/24', 4, 3)).toBe('192.168.0.48/28');
  });
});

describe('Network: the flow log group name', () => {
  const logGroup = (props: Partial<NetworkProps>) => onlyResource(synth({ cidrBlock: '10.10.0.0/16', availabilityZones: zones, ...props }), 'aws_cloudwatch_log_group').name;
  it('is named after the construct id by default, or flowLogName (a second VPC in the account)', () => {
    expect(logGroup({})).toBe('/vpc/net/flow-logs');
    expect(logGroup({ flowLogName: 'preview-12' })).toBe('/vpc/preview-12/flow-logs');
  });
});
