import { PolicyRule, SynthResource, SynthStack, attr, refersTo, resourcesOf, verdict } from '../rule';

/** Network exposure: security groups, subnets, flow logs, the default security group. */

const ANYWHERE = ['0.0.0.0/0', '::/0'];
const DATABASE_PORTS = [1433, 3306, 5432];

/** Whether the security group fronts a public load balancer (Beanstalk ALB or aws_lb). */
function isLoadBalancerGroup(groupRef: unknown, stack: SynthStack): boolean {
  const group = resourcesOf(stack, 'aws_security_group').find((g) => refersTo(groupRef, g));
  if (!group) return false;
  const viaBeanstalk = resourcesOf(stack, 'aws_elastic_beanstalk_environment').some((env) =>
    ((env.attributes.setting ?? []) as Array<{ namespace: string; name: string; value: string }>).some(
      (s) => s.namespace === 'aws:elbv2:loadbalancer' && s.name === 'SecurityGroups' && refersTo(s.value, group),
    ),
  );
  return viaBeanstalk || resourcesOf(stack, 'aws_lb').some((lb) => refersTo(lb.attributes.security_groups, group));
}

/** The key of a security group reference: `aws_security_group.<name>` for a reference, else the literal id. */
function groupKey(ref: unknown): string | undefined {
  if (typeof ref !== 'string' || ref === '') return undefined;
  return /\$\{aws_security_group\.([\w-]+)\.id\}/.exec(ref)?.[1] ?? ref;
}

/** The group a rule or group resource belongs to. */
function groupOf(r: SynthResource): string | undefined {
  return r.type === 'aws_security_group' ? r.name : groupKey(attr(r, 'security_group_id'));
}

const databaseGroupsCache = new WeakMap<SynthStack, { managed: Set<string>; all: Set<string> }>();
/**
 * The security groups attached to databases, computed once per stack: `managed` for RDS and
 * Aurora, `all` adding EC2 SQL Server nodes (instances tagged SqlServerCluster).
 */
function databaseGroups(stack: SynthStack): { managed: Set<string>; all: Set<string> } {
  const cached = databaseGroupsCache.get(stack);
  if (cached) return cached;
  const keys = (r: SynthResource) => ((r.attributes.vpc_security_group_ids ?? []) as unknown[]).map(groupKey).filter((k): k is string => k !== undefined);
  const managed = new Set([...resourcesOf(stack, 'aws_rds_cluster'), ...resourcesOf(stack, 'aws_db_instance')].flatMap(keys));
  const nodes = resourcesOf(stack, 'aws_instance').filter((i) => (i.attributes.tags ?? {}).SqlServerCluster !== undefined);
  const all = new Set([...managed, ...nodes.flatMap(keys)]);
  const result = { managed, all };
  databaseGroupsCache.set(stack, result);
  return result;
}

interface Opening {
  cidrs: string[];
  /** `tcp`, `udp`, `icmp`, ... or `-1` for every protocol. */
  protocol: string;
  from: number;
  to: number;
}

/**
 * The (cidrs, protocol, ports) a rule resource or a group's inline blocks open in `direction`:
 * `aws_vpc_security_group_{ingress,egress}_rule`, the legacy `aws_security_group_rule`, and
 * `ingress` / `egress` blocks of `aws_security_group`.
 */
function openings(r: SynthResource, direction: 'ingress' | 'egress'): Opening[] {
  const protocolOf = (p: unknown) => (String(p ?? '').toLowerCase() === 'all' ? '-1' : String(p ?? '').toLowerCase());
  const ports = (protocol: string, from: unknown, to: unknown) => (protocol === '-1' ? { from: 0, to: 65535 } : { from: Number(from), to: Number(to) });
  if (r.type === `aws_vpc_security_group_${direction}_rule`) {
    const protocol = protocolOf(attr(r, 'ip_protocol'));
    const cidrs = [attr(r, 'cidr_ipv4'), attr(r, 'cidr_ipv6')].filter((c): c is string => typeof c === 'string');
    return [{ cidrs, protocol, ...ports(protocol, attr(r, 'from_port'), attr(r, 'to_port')) }];
  }
  if (r.type === 'aws_security_group_rule') {
    if (attr(r, 'type') !== direction) return [];
    const protocol = protocolOf(attr(r, 'protocol'));
    const cidrs = [...((attr(r, 'cidr_blocks') ?? []) as string[]), ...((attr(r, 'ipv6_cidr_blocks') ?? []) as string[])];
    return [{ cidrs, protocol, ...ports(protocol, attr(r, 'from_port'), attr(r, 'to_port')) }];
  }
  if (r.type !== 'aws_security_group') return [];
  return ((r.attributes[direction] ?? []) as Array<{ cidr_blocks?: string[]; ipv6_cidr_blocks?: string[]; from_port: number; to_port: number; protocol: string }>).map((i) => {
    const protocol = protocolOf(i.protocol);
    return { cidrs: [...(i.cidr_blocks ?? []), ...(i.ipv6_cidr_blocks ?? [])], protocol, ...ports(protocol, i.from_port, i.to_port) };
  });
}

const INGRESS_TYPES = ['aws_vpc_security_group_ingress_rule', 'aws_security_group_rule', 'aws_security_group'];
const EGRESS_TYPES = ['aws_vpc_security_group_egress_rule', 'aws_security_group_rule', 'aws_security_group'];

/** Not-applicable for a rule resource of the other direction (a legacy rule of type egress, say). */
function appliesTo(r: SynthResource, direction: 'ingress' | 'egress'): boolean {
  return r.type === 'aws_security_group' || r.type === `aws_vpc_security_group_${direction}_rule` || attr(r, 'type') === direction;
}

export const networkRules: PolicyRule[] = [
  {
    id: 'SG-NO-OPEN-INGRESS',
    pack: 'baseline',
    info: 'Nothing is open to 0.0.0.0/0 or ::/0 except ports 80 and 443 of a load balancer.',
    explanation: 'Only public load balancers face the internet; instances and databases are reached through them or by security group.',
    fix: 'Admit traffic from a security group (referenced_security_group_id) or a narrow CIDR.',
    checkov: 'CKV_AWS_24 / CKV_AWS_25',
    partly: 'CKV_AWS_260: port 80 from anywhere is allowed on a load balancer group (for an HTTP to HTTPS redirect); AwsSolutions-EC23: 80 and 443 from anywhere are allowed on load balancer groups',
    resourceTypes: INGRESS_TYPES,
    check: (r, stack) => {
      if (!appliesTo(r, 'ingress')) return 'not-applicable';
      const open = openings(r, 'ingress').filter((o) => o.cidrs.some((c) => ANYWHERE.includes(c)));
      if (open.length === 0) return 'compliant';
      const webOnly = open.every((o) => (o.protocol === 'tcp' || o.protocol === '6') && o.from === o.to && (o.from === 80 || o.from === 443));
      const group = r.type === 'aws_security_group' ? `\${aws_security_group.${r.name}.id}` : attr(r, 'security_group_id');
      return verdict(webOnly && isLoadBalancerGroup(group, stack));
    },
  },
  {
    id: 'DB-NO-CIDR-INGRESS',
    pack: 'baseline',
    info: "A database's security group opens its TCP ports (1433, 3306, 5432) to security groups only, never to a CIDR.",
    explanation: 'An address range admits whatever lands in it later; a security group admits exactly the apps named.',
    fix: 'List the client apps in the database config (clients); they are admitted by security group.',
    resourceTypes: INGRESS_TYPES,
    check: (r, stack) => {
      const group = groupOf(r);
      if (!appliesTo(r, 'ingress') || group === undefined || !databaseGroups(stack).all.has(group)) return 'not-applicable';
      const tcp = openings(r, 'ingress').filter((o) => o.protocol === 'tcp' || o.protocol === '-1' || o.protocol === '6');
      return verdict(!tcp.some((o) => o.cidrs.length > 0 && DATABASE_PORTS.some((p) => o.from <= p && p <= o.to)));
    },
  },
  {
    id: 'DB-NO-OPEN-EGRESS',
    pack: 'baseline',
    info: 'The security groups of RDS and Aurora databases allow no egress to 0.0.0.0/0 or ::/0.',
    explanation: 'A managed database only answers its clients; open egress is the path out for data if the database is ever abused (RDS answers clients without egress rules: security groups are stateful).',
    fix: 'Remove the egress rule; if the database calls an AWS service (S3 import, Lambda), allow that endpoint or prefix list only.',
    resourceTypes: EGRESS_TYPES,
    check: (r, stack) => {
      const group = groupOf(r);
      if (!appliesTo(r, 'egress') || group === undefined || !databaseGroups(stack).managed.has(group)) return 'not-applicable';
      return verdict(!openings(r, 'egress').some((o) => o.cidrs.some((c) => ANYWHERE.includes(c))));
    },
  },
  {
    id: 'SUBNET-NO-AUTO-PUBLIC-IP',
    pack: 'baseline',
    info: 'Subnets do not give launched instances a public IP by default (map_public_ip_on_launch).',
    explanation: 'Anything launched into such a subnet, a private one included, gets a public address without asking; load balancers and NAT gateways do not need it.',
    fix: 'Set map_public_ip_on_launch = false (the Network construct does).',
    checkov: 'CKV_AWS_130',
    resourceTypes: ['aws_subnet'],
    check: (r) => verdict(attr(r, 'map_public_ip_on_launch') !== true && attr(r, 'map_public_ip_on_launch') !== 'true'),
  },
  {
    id: 'VPC-FLOW-LOGS',
    pack: 'baseline',
    info: 'Every VPC has flow logs.',
    explanation: 'Flow logs are the only record of who talked to what when investigating an incident.',
    fix: 'Create VPCs with the Network construct.',
    cdkNag: 'AwsSolutions-VPC7',
    checkov: 'CKV2_AWS_11',
    resourceTypes: ['aws_vpc'],
    check: (r, stack) => verdict(resourcesOf(stack, 'aws_flow_log').some((f) => refersTo(f.attributes.vpc_id, r))),
  },
  {
    id: 'VPC-DEFAULT-SG-CLOSED',
    pack: 'baseline',
    info: "Every VPC's default security group has no rules.",
    explanation: 'Resources launched without a security group land in the default one; it must admit nothing.',
    fix: 'Create VPCs with the Network construct (it strips the default group).',
    checkov: 'CKV2_AWS_12',
    resourceTypes: ['aws_vpc'],
    check: (r, stack) =>
      verdict(
        resourcesOf(stack, 'aws_default_security_group').some(
          (g) => refersTo(g.attributes.vpc_id, r) && (g.attributes.ingress ?? []).length === 0 && (g.attributes.egress ?? []).length === 0,
        ),
      ),
  },
];
