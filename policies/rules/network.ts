import { PolicyRule, SynthResource, SynthStack, attr, refersTo, resourcesOf, verdict } from '../rule';

/** Network exposure: security groups, flow logs, the default security group. */

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

/** The (cidrs, from, to) an ingress rule or an inline ingress block opens. */
function openings(r: SynthResource): Array<{ cidrs: string[]; from: number; to: number }> {
  if (r.type === 'aws_vpc_security_group_ingress_rule') {
    const cidrs = [attr(r, 'cidr_ipv4'), attr(r, 'cidr_ipv6')].filter((c): c is string => typeof c === 'string');
    const all = attr(r, 'ip_protocol') === '-1';
    return [{ cidrs, from: all ? 0 : Number(attr(r, 'from_port')), to: all ? 65535 : Number(attr(r, 'to_port')) }];
  }
  return ((r.attributes.ingress ?? []) as Array<{ cidr_blocks?: string[]; ipv6_cidr_blocks?: string[]; from_port: number; to_port: number; protocol: string }>).map((i) => ({
    cidrs: [...(i.cidr_blocks ?? []), ...(i.ipv6_cidr_blocks ?? [])],
    from: i.protocol === '-1' ? 0 : i.from_port,
    to: i.protocol === '-1' ? 65535 : i.to_port,
  }));
}

export const networkRules: PolicyRule[] = [
  {
    id: 'SG-NO-OPEN-INGRESS',
    pack: 'baseline',
    info: 'Nothing is open to 0.0.0.0/0 or ::/0 except ports 80 and 443 of a load balancer.',
    explanation: 'Only public load balancers face the internet; instances and databases are reached through them or by security group.',
    fix: 'Admit traffic from a security group (referenced_security_group_id) or a narrow CIDR.',
    cdkNag: 'AwsSolutions-EC23',
    checkov: 'CKV_AWS_24 / CKV_AWS_25 / CKV_AWS_260',
    resourceTypes: ['aws_vpc_security_group_ingress_rule', 'aws_security_group'],
    check: (r, stack) => {
      const open = openings(r).filter((o) => o.cidrs.some((c) => ANYWHERE.includes(c)));
      if (open.length === 0) return 'compliant';
      const webOnly = open.every((o) => o.from === o.to && (o.from === 80 || o.from === 443));
      const group = r.type === 'aws_security_group' ? `\${aws_security_group.${r.name}.id}` : attr(r, 'security_group_id');
      return verdict(webOnly && isLoadBalancerGroup(group, stack));
    },
  },
  {
    id: 'DB-NO-CIDR-INGRESS',
    pack: 'baseline',
    info: 'Database ports (1433, 3306, 5432) are opened to security groups only, never to a CIDR.',
    explanation: 'An address range admits whatever lands in it later; a security group admits exactly the apps named.',
    fix: 'List the client apps in the database config (clients); they are admitted by security group.',
    resourceTypes: ['aws_vpc_security_group_ingress_rule', 'aws_security_group'],
    check: (r) => {
      const dbOpenings = openings(r).filter((o) => o.cidrs.length > 0 && DATABASE_PORTS.some((p) => o.from <= p && p <= o.to));
      return verdict(dbOpenings.length === 0);
    },
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
