import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Construct } from 'constructs';
import { accountIdOf, policyDocument, serviceTrust } from '../core/iam';
import { Rule, checkProps } from '../core/validation';

/** A subnet and the zone it is in: what other constructs need to place resources. */
export interface SubnetRef {
  readonly id: string;
  readonly availabilityZone: string;
}

/** An existing VPC to adopt instead of creating one. */
export interface ExistingNetwork {
  readonly vpcId: string;
  /** Subnets with a route to an internet gateway (load balancers, NAT). */
  readonly publicSubnets: readonly SubnetRef[];
  /** Subnets with outbound access through NAT (application instances). */
  readonly privateSubnets: readonly SubnetRef[];
  /** Subnets with no route out of the VPC (databases). */
  readonly isolatedSubnets: readonly SubnetRef[];
}

export type NatGatewayMode = 'per-az' | 'single' | 'none';

export interface NetworkProps {
  /**
   * Create a VPC with this IPv4 CIDR (a /16 to /24). Each tier gets one subnet per zone,
   * four bits longer than the VPC prefix. Give either this or `existing`.
   * @default - none: `existing` must be given
   */
  readonly cidrBlock?: string;
  /**
   * Zones to spread subnets over when creating the VPC (at least 2; 3 recommended).
   * @default - required with `cidrBlock`
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html
   */
  readonly availabilityZones?: readonly string[];
  /**
   * NAT gateways for the private subnets: one per zone (a zone failure does not cut the
   * others off), a single one (cheaper, one zone's failure cuts all), or none.
   * @default 'per-az'
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Days to keep VPC flow logs (all traffic, to CloudWatch Logs).
   * @default 365
   */
  readonly flowLogRetentionDays?: number;
  /**
   * KMS key for the flow log group. @default - CloudWatch Logs' own encryption
   */
  readonly logsKmsKeyArn?: string;
  /**
   * Names the flow log group `/vpc/<flowLogName>/flow-logs`: log group names are unique per
   * account and region, so a second VPC in the account (a preview) needs its own.
   * @default - the construct id
   */
  readonly flowLogName?: string;
  /**
   * Adopt an existing VPC and subnets by id instead of creating one.
   * @default - none: `cidrBlock` must be given
   */
  readonly existing?: ExistingNetwork;
}

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * The VPC under an account: either created (public / private / isolated subnets per zone,
 * NAT, flow logs, a default security group with no rules) or adopted by id. Other
 * constructs take their subnets from it.
 */
export class Network extends Construct {
  public readonly vpcId: string;
  public readonly publicSubnets: readonly SubnetRef[];
  public readonly privateSubnets: readonly SubnetRef[];
  public readonly isolatedSubnets: readonly SubnetRef[];
  /** The created VPC; undefined when an existing one was adopted. */
  public readonly vpc?: Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const natGateways = props.natGateways ?? 'per-az';
    const flowLogRetentionDays = props.flowLogRetentionDays ?? 365;
    const zones = props.availabilityZones ?? [];
    const prefix = props.cidrBlock ? parseCidr(props.cidrBlock)?.prefix : undefined;

    const rules: Rule[] = [
      [!props.cidrBlock === !props.existing, 'cidrBlock / existing', props.cidrBlock ?? props.existing?.vpcId, 'exactly one of cidrBlock (create a VPC) or existing (adopt one)'],
      [!!props.cidrBlock && (prefix === undefined || prefix < 16 || prefix > 24), 'cidrBlock', props.cidrBlock, 'an IPv4 CIDR block from /16 to /24, e.g. "10.20.0.0/16"'],
      [!!props.cidrBlock && (zones.length < 2 || zones.length > 4 || new Set(zones).size !== zones.length), 'availabilityZones', zones, '2 to 4 distinct zones'],
      [!LOG_RETENTION_DAYS.includes(flowLogRetentionDays as never), 'flowLogRetentionDays', flowLogRetentionDays, `one of CloudWatch Logs' periods: ${LOG_RETENTION_DAYS.join(', ')}`],
    ];
    if (props.existing) {
      for (const tier of ['publicSubnets', 'privateSubnets', 'isolatedSubnets'] as const) {
        const subnets = props.existing[tier];
        const distinct = new Set(subnets.map((s) => s.availabilityZone)).size;
        rules.push([distinct < 2, `existing.${tier}`, subnets.map((s) => s.id), 'subnets in at least 2 availability zones']);
      }
    }
    checkProps(this, 'Network', rules);

    if (props.existing) {
      this.vpcId = props.existing.vpcId;
      this.publicSubnets = props.existing.publicSubnets;
      this.privateSubnets = props.existing.privateSubnets;
      this.isolatedSubnets = props.existing.isolatedSubnets;
      return;
    }

    const cidr = props.cidrBlock!;
    const vpc = new Vpc(this, 'vpc', { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: id } });
    this.vpc = vpc;
    this.vpcId = vpc.id;

    // Nothing may use the default security group: it is left with no rules at all.
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${id}-default-unused` } });

    // Tiers take consecutive blocks of four subnet slots: public 0-3, private 4-7, isolated 8-11.
    const subnetsOf = (tier: 'public' | 'private' | 'isolated', slot: number): Subnet[] =>
      zones.map(
        (zone, i) =>
          new Subnet(this, `${tier}-${zone}`, {
            vpcId: vpc.id,
            availabilityZone: zone,
            cidrBlock: subnetCidr(cidr, SUBNET_NEW_BITS, slot + i),
            mapPublicIpOnLaunch: false,
            tags: { Name: `${id}-${tier}-${zone}`, Tier: tier },
          }),
      );
    const publicSubnets = subnetsOf('public', SUBNET_SLOTS.public);
    const privateSubnets = subnetsOf('private', SUBNET_SLOTS.private);
    const isolatedSubnets = subnetsOf('isolated', SUBNET_SLOTS.isolated);
    const refs = (subnets: Subnet[]) => subnets.map((s, i) => ({ id: s.id, availabilityZone: zones[i] }));
    this.publicSubnets = refs(publicSubnets);
    this.privateSubnets = refs(privateSubnets);
    this.isolatedSubnets = refs(isolatedSubnets);

    const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: { Name: id } });
    const publicRoutes = new RouteTable(this, 'public-routes', { vpcId: vpc.id, tags: { Name: `${id}-public` } });
    new Route(this, 'public-default', { routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
    publicSubnets.forEach((s, i) => new RouteTableAssociation(this, `public-assoc-${zones[i]}`, { subnetId: s.id, routeTableId: publicRoutes.id }));

    const natCount = natGateways === 'per-az' ? zones.length : natGateways === 'single' ? 1 : 0;
    const nats = zones.slice(0, natCount).map((zone, i) => {
      const eip = new Eip(this, `nat-eip-${zone}`, { domain: 'vpc', tags: { Name: `${id}-nat-${zone}` } });
      return new NatGateway(this, `nat-${zone}`, { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: { Name: `${id}-${zone}` }, dependsOn: [igw] });
    });
    privateSubnets.forEach((s, i) => {
      const zone = zones[i];
      const table = new RouteTable(this, `private-routes-${zone}`, { vpcId: vpc.id, tags: { Name: `${id}-private-${zone}` } });
      if (nats.length > 0) {
        new Route(this, `private-default-${zone}`, { routeTableId: table.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nats[Math.min(i, nats.length - 1)].id });
      }
      new RouteTableAssociation(this, `private-assoc-${zone}`, { subnetId: s.id, routeTableId: table.id });
    });
    const isolatedRoutes = new RouteTable(this, 'isolated-routes', { vpcId: vpc.id, tags: { Name: `${id}-isolated` } });
    isolatedSubnets.forEach((s, i) => new RouteTableAssociation(this, `isolated-assoc-${zones[i]}`, { subnetId: s.id, routeTableId: isolatedRoutes.id }));

    const logGroup = new CloudwatchLogGroup(this, 'flow-logs', {
      name: `/vpc/${props.flowLogName ?? id}/flow-logs`,
      retentionInDays: flowLogRetentionDays,
      kmsKeyId: props.logsKmsKeyArn,
    });
    const role = new IamRole(this, 'flow-logs-role', {
      namePrefix: `${id}-flow-logs-`,
      // Flow logs send aws:SourceAccount and aws:SourceArn (the flow log) when they assume the
      // role (docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html, confused deputy).
      assumeRolePolicy: serviceTrust('vpc-flow-logs.amazonaws.com', accountIdOf(this), `arn:aws:ec2:*:${accountIdOf(this)}:vpc-flow-log/*`),
    });
    new IamRolePolicy(this, 'flow-logs-policy', {
      role: role.id,
      policy: policyDocument({
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: `${logGroup.arn}:*`,
      }),
    });
    new FlowLog(this, 'flow-log', {
      vpcId: vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
    });
  }
}

/**
 * Where each tier's subnets start: the `slot + zone index`-th /+4 block of the VPC range.
 * Exported so the account loader can tell which subnet a fixed IP address falls into.
 */
export const SUBNET_SLOTS = { public: 0, private: 4, isolated: 8 } as const;
/** Each subnet is the VPC range 4 bits longer: a /16 VPC has /20 subnets. */
export const SUBNET_NEW_BITS = 4;

/** Parses "a.b.c.d/n"; undefined when it is not a valid IPv4 CIDR with its host bits clear. */
export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return base % size === 0 ? { base, prefix } : undefined;
}

/** The `index`-th subnet of `cidr` that is `newBits` longer (Terraform's cidrsubnet). */
export function subnetCidr(cidr: string, newBits: number, index: number): string {
  const { base, prefix } = parseCidr(cidr)!;
  const start = base + index * 2 ** (32 - prefix - newBits);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix + newBits}`;
}
