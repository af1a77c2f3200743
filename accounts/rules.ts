/**
 * Rules over a whole, schema-valid account (and across accounts) that catch configs which
 * validate field by field but would produce a wrong or dangerous plan, or one AWS refuses
 * at apply time. Each returns problems in the loader's format; none throws.
 */
import { SUBNET_NEW_BITS, SUBNET_SLOTS, parseCidr, subnetCidr } from '../constructs/network/network';
import { AVAILABILITY_ZONES } from './availability-zones';
import { images, platforms } from './catalogue';
import { INSTANCE_TYPES, INSTANCE_TYPES_REFRESHED, InstanceTypeCatalogue } from './instance-types';
import { ACCOUNT_TIERS } from './registry';
import type { AccountConfig, AccountProblem, Environment } from './schema';
import { ENVIRONMENTS } from './schema';
import { Problem, show } from './schema-kit';

/** Every problem of one account that the field schemas cannot see. */
export function accountProblems(account: AccountConfig, tiers: Readonly<Record<string, Environment>> = ACCOUNT_TIERS): Problem[] {
  return [...tierProblems(account, tiers), ...zoneProblems(account), ...cidrProblems(account), ...fixedIpProblems(account), ...arnProblems(account), ...instanceTypeProblems(account)];
}

/**
 * The environment may not be below the tier the account id is registered with in
 * `accounts/registry.ts`, unless `environmentOverride` says so with a reason.
 */
function tierProblems(a: AccountConfig, tiers: Readonly<Record<string, Environment>>): Problem[] {
  const tier = tiers[a.accountId];
  if (tier === undefined) {
    return [{ path: 'accountId', got: show(a.accountId), expected: `an account id registered with its tier in accounts/registry.ts (registered: ${Object.keys(tiers).join(', ')})` }];
  }
  // ENVIRONMENTS runs from the strictest tier to the loosest.
  const downgraded = ENVIRONMENTS.indexOf(a.environment) > ENVIRONMENTS.indexOf(tier);
  const override = a.environmentOverride;
  if (downgraded && !override) {
    return [{
      path: 'environment',
      got: show(a.environment),
      expected: `"${tier}": account ${a.accountId} is registered as ${tier} in accounts/registry.ts (a lower tier drops that tier's protections; it needs environmentOverride: { from: "${tier}", reason })`,
    }];
  }
  if (override && !downgraded) {
    return [{ path: 'environmentOverride', got: show(override.from), expected: `no override: environment "${a.environment}" is not below the registered tier "${tier}"` }];
  }
  if (override && override.from !== tier) {
    return [{ path: 'environmentOverride.from', got: show(override.from), expected: `"${tier}", the tier account ${a.accountId} is registered with` }];
  }
  return [];
}

/**
 * Instance types, DB instance classes and cache node types must be ones the catalogue
 * lists for the account's region: AWS refuses an unknown size only at apply time. A
 * region missing from the catalogue is already refused by zoneProblems (same regions).
 */
function instanceTypeProblems(a: AccountConfig): Problem[] {
  const catalogue = INSTANCE_TYPES[a.region];
  if (catalogue === undefined) return [];
  const sizes: Array<[list: keyof InstanceTypeCatalogue, path: string, value: string | undefined]> = [
    ...a.apps.flatMap((app, i) => app.environments.flatMap((e, j) => (e.instanceTypes ?? []).map((t, k) => ['ec2', `apps[${i}].environments[${j}].instanceTypes[${k}]`, t] as [keyof InstanceTypeCatalogue, string, string]))),
    ...a.databases.sqlServer.flatMap((db, i): Array<[keyof InstanceTypeCatalogue, string, string | undefined]> => [
      ['ec2', `databases.sqlServer[${i}].alwaysOn.instanceType`, db.alwaysOn?.instanceType],
      ['rdsSqlServer', `databases.sqlServer[${i}].rds.instanceClass`, db.rds?.instanceClass],
    ]),
    ...a.databases.aurora.map((db, i) => ['aurora', `databases.aurora[${i}].instanceClass`, db.instanceClass] as [keyof InstanceTypeCatalogue, string, string | undefined]),
    ...(a.caches ?? []).map((c, i) => ['elasticache', `caches[${i}].nodeType`, c.nodeType] as [keyof InstanceTypeCatalogue, string, string | undefined]),
  ];
  return sizes.flatMap(([list, path, value]) =>
    value === undefined || catalogue[list].includes(value)
      ? []
      : [{ path, got: show(value), expected: `one of ${catalogue[list].join(', ')} (accounts/instance-types.ts ${list}, ${a.region}, refreshed ${INSTANCE_TYPES_REFRESHED})` }],
  );
}

/** Zone names must be ones the region offers our accounts (see the catalogue for sources). */
function zoneProblems(a: AccountConfig): Problem[] {
  const offered = AVAILABILITY_ZONES[a.region];
  if (offered === undefined) {
    return [{ path: 'region', got: show(a.region), expected: `a region whose zones are catalogued in accounts/availability-zones.ts (${Object.keys(AVAILABILITY_ZONES).join(', ')}); add the region's zones there first` }];
  }
  const zones: Array<[path: string, zone: string]> = [
    ...(a.network.availabilityZones ?? []).map((z, i) => [`network.availabilityZones[${i}]`, z] as [string, string]),
    ...(['publicSubnets', 'privateSubnets', 'isolatedSubnets'] as const).flatMap((tier) =>
      (a.network.existing?.[tier] ?? []).map((s, i) => [`network.existing.${tier}[${i}].availabilityZone`, s.availabilityZone] as [string, string]),
    ),
    ...a.databases.sqlServer.flatMap((db, i) =>
      (db.alwaysOn?.nodes ?? []).map((n, j) => [`databases.sqlServer[${i}].alwaysOn.nodes[${j}].availabilityZone`, n.availabilityZone] as [string, string]),
    ),
  ];
  return zones
    .filter(([, zone]) => !offered.includes(zone))
    .map(([path, zone]) => ({ path, got: show(zone), expected: `a zone ${a.region} offers our accounts: ${offered.join(', ')} (accounts/availability-zones.ts)` }));
}

/**
 * CIDR blocks must be network addresses (host bits clear): the AWS provider validates
 * `aws_vpc.cidr_block` and `aws_vpc_security_group_ingress_rule.cidr_ipv4` with
 * IPv4CIDRNetworkAddress (internal/service/ec2/vpc_security_group_ingress_rule.go), so
 * "10.0.0.1/8" fails the plan, and "10.0.0.0/33" is no CIDR at all.
 */
function cidrProblems(a: AccountConfig): Problem[] {
  const cidrs: Array<[path: string, cidr: string]> = [
    ...(a.network.cidrBlock !== undefined ? [['network.cidrBlock', a.network.cidrBlock] as [string, string]] : []),
    ...a.apps.flatMap((app, i) =>
      app.environments.flatMap((e, j) => (e.allowedCidrs ?? []).map((c, k) => [`apps[${i}].environments[${j}].allowedCidrs[${k}]`, c] as [string, string])),
    ),
  ];
  return cidrs
    .filter(([, cidr]) => parseCidr(cidr) === undefined)
    .map(([path, cidr]) => ({ path, got: show(cidr), expected: 'an IPv4 CIDR block "a.b.c.d/n" with n from 0 to 32 and the host bits zero (e.g. "10.0.0.0/8", not "10.0.0.1/8")' }));
}

/**
 * SQL Server Always On nodes have fixed addresses: each must be in the private subnet the
 * Network construct makes for the node's zone, and not one of the five addresses AWS
 * reserves in every subnet (the first four and the last). Only checkable when the repo
 * creates the VPC; adopted subnets' ranges are not in config.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
 */
function fixedIpProblems(a: AccountConfig): Problem[] {
  const vpc = a.network.cidrBlock;
  const zones = a.network.availabilityZones ?? [];
  if (vpc === undefined || parseCidr(vpc) === undefined) return [];
  const problems: Problem[] = [];
  a.databases.sqlServer.forEach((db, i) =>
    (db.alwaysOn?.nodes ?? []).forEach((node, j) => {
      const zone = zones.indexOf(node.availabilityZone);
      if (zone < 0) return; // reported by zoneProblems or the construct
      const subnet = subnetCidr(vpc, SUBNET_NEW_BITS, SUBNET_SLOTS.private + zone);
      const range = parseCidr(subnet)!;
      const size = 2 ** (32 - range.prefix);
      for (const field of ['primaryIp', 'clusterIp', 'listenerIp'] as const) {
        const ip = parseCidr(`${node[field]}/32`);
        const offset = ip === undefined ? -1 : ip.base - range.base;
        if (offset >= 4 && offset < size - 1) continue;
        problems.push({
          path: `databases.sqlServer[${i}].alwaysOn.nodes[${j}].${field}`,
          got: show(node[field]),
          expected: `an address of the private subnet of ${node.availabilityZone} (${subnet}, inside the VPC ${vpc}), not its first four or its last (AWS reserves them)`,
        });
      }
    }),
  );
  return problems;
}

/**
 * Every ARN in the config (certificates, secrets, keys) must be in this account and
 * region: the load balancer, Beanstalk and RDS cannot use a certificate or key of another
 * region, and another account's ARN is a copy-paste mistake. The message names the
 * mismatching parts only, never the whole ARN (a secret's name can be sensitive).
 */
function arnProblems(a: AccountConfig): Problem[] {
  const problems: Problem[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'string' && value.startsWith('arn:')) {
      const [, partition, service, region, account] = value.split(':');
      const wrong = [
        partition !== 'aws' ? `partition "${partition}"` : '',
        account !== '' && account !== a.accountId ? `account ${account}` : '',
        region !== '' && region !== a.region ? `region ${region}` : '',
      ].filter(Boolean);
      if (wrong.length > 0) {
        problems.push({ path, got: `an ARN of ${service} in ${wrong.join(', ')}`, expected: `an ARN in this account (${a.accountId}) and region (${a.region})` });
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`);
    }
  };
  walk(a, '');
  return problems;
}

/** One value an account claims that no other account may claim too. */
interface Claim {
  readonly path: string;
  readonly value: string;
}

/**
 * Values that must be unique across accounts, and why:
 * - `state.bucket`: two stacks writing one state bucket overwrite each other's state
 *   locks and, with the same key prefix, each other's state.
 * - Beanstalk CNAME prefixes: `<prefix>.<region>.elasticbeanstalk.com` is one global name;
 *   the second CreateEnvironment fails.
 * - Fastly domains: a domain can be on one Fastly service only.
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/customdomains.html
 * @see https://www.fastly.com/documentation/guides/getting-started/domains/working-with-domains/
 */
const UNIQUE_CLAIMS: ReadonlyArray<(a: AccountConfig) => Claim[]> = [
  (a) => [{ path: 'state.bucket', value: a.state.bucket }],
  (a) => a.apps.flatMap((app, i) => app.environments.map((e, j) => ({ path: `apps[${i}].environments[${j}].cnamePrefix`, value: e.cnamePrefix ?? e.name }))),
  (a) => a.cdn.flatMap((c, i) => c.domains.map((d, j) => ({ path: `cdn[${i}].domains[${j}]`, value: d.toLowerCase() }))),
];

/**
 * Problems across accounts: image pipelines not shared with an account launching their
 * AMI, shared unique values (each reported on every account after
 * the first that claims it) and overlapping VPC ranges (accounts may be peered or joined
 * by a transit gateway one day; overlapping ranges cannot be routed).
 */
export function crossAccountProblems(accounts: readonly AccountConfig[]): AccountProblem[] {
  const problems: AccountProblem[] = [...imageConsumerProblems(accounts), ...imagePlatformProblems(accounts)];
  for (const claimsOf of UNIQUE_CLAIMS) {
    const owner = new Map<string, { account: string; path: string }>();
    for (const a of accounts) {
      for (const c of claimsOf(a)) {
        const first = owner.get(c.value);
        if (first === undefined) owner.set(c.value, { account: a.name, path: c.path });
        else problems.push({ account: a.name, path: c.path, got: show(c.value), expected: `a value no other account or environment has (accounts/${first.account} has it at ${first.path})` });
      }
    }
  }
  const ranges = accounts.flatMap((a) => {
    const r = a.network.cidrBlock === undefined ? undefined : parseCidr(a.network.cidrBlock);
    return r ? [{ account: a.name, cidr: a.network.cidrBlock!, start: r.base, end: r.base + 2 ** (32 - r.prefix) }] : [];
  });
  ranges.forEach((r, i) => {
    const other = ranges.slice(0, i).find((o) => r.start < o.end && o.start < r.end);
    if (other) problems.push({ account: r.account, path: 'network.cidrBlock', got: show(r.cidr), expected: `a range that overlaps no other account's VPC (accounts/${other.account} has ${other.cidr})` });
  });
  return problems;
}

/**
 * An account that launches a pipeline's AMI must be shared with: without launch permission
 * (and use of the AMI key) its instances fail to launch at apply time. Part of the rules
 * across accounts (the loader refuses it); it concerns only accounts whose apps or SQL
 * Server nodes launch a pipeline-built image, so the benchmark's generated accounts, which
 * launch none (tools/bench-accounts.ts), load beside the real ones.
 */
export function imageConsumerProblems(accounts: readonly AccountConfig[]): AccountProblem[] {
  const uses = (a: AccountConfig, id: string) => a.apps.some((app) => app.imageId === id) || a.databases.sqlServer.some((db) => db.alwaysOn?.imageId === id);
  return accounts.flatMap((builder) =>
    (builder.imagePipelines ?? []).flatMap((p, i) => {
      const id = images[p.image];
      const missing = accounts.filter((a) => a.accountId !== builder.accountId && uses(a, id) && !(p.shareWith ?? []).includes(a.accountId));
      return missing.length === 0
        ? []
        : [{ account: builder.name, path: `imagePipelines[${i}].shareWith`, got: JSON.stringify(p.shareWith ?? []), expected: `every other account that launches images.${p.image} (${id}); missing: ${missing.map((a) => `${a.name} (${a.accountId})`).join(', ')}` }];
    }),
  );
}

/**
 * An app launching a pipeline's AMI runs the platform the pipeline builds on: a Beanstalk
 * custom AMI is made from the base AMI of the platform version the environment runs
 * (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.customenv.html),
 * so an app on another platform (or version) would get a mismatched host manager.
 */
export function imagePlatformProblems(accounts: readonly AccountConfig[]): AccountProblem[] {
  return accounts.flatMap((builder) =>
    (builder.imagePipelines ?? []).flatMap((p) =>
      accounts.flatMap((a) =>
        a.apps.flatMap((app, j) =>
          app.imageId === images[p.image] && app.solutionStackName !== platforms[p.platform]
            ? [{ account: a.name, path: `apps[${j}].solutionStackName`, got: show(app.solutionStackName), expected: `platforms.${p.platform} ("${platforms[p.platform]}"): the platform accounts/${builder.name} pipeline ${p.name} builds images.${p.image} on` }]
            : [],
        ),
      ),
    ),
  );
}
