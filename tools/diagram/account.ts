/**
 * The diagram of one account, drawn from its synthesized stack (`cdk.tf.json`), never by
 * hand: what the stack creates and how the pieces reach each other, read from the
 * references Terraform itself resolves (`${type.name.attr}`), security group rules,
 * IAM policy attachments, event source mappings and Datadog tags.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Edge, Flowchart, Node, Shape, groupSet, renderFlowchart } from './mermaid';

type Json = Record<string, unknown>;
/** The parts of a synthesized stack the diagram reads. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Json>>;
}

/** A resource of the stack: `type.key` is its Terraform address. */
interface Resource {
  readonly type: string;
  readonly key: string;
  readonly config: Json;
}

const REFERENCE = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\./g;

/** Every `type.key` a value refers to (strings anywhere inside it). */
function references(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(REFERENCE)) out.add(`${m[1]}.${m[2]}`);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) if (k !== '//') walk(x);
  };
  walk(value);
  return [...out];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && !v.includes('${') ? v : undefined);
const tags = (r: Resource): Record<string, unknown> => (typeof r.config.tags === 'object' && r.config.tags !== null ? (r.config.tags as Record<string, unknown>) : {});
/** The construct that made the resource: the first segment of its path under the stack. */
export function constructOf(config: Json, key: string): string {
  const path = ((config['//'] as Json | undefined)?.metadata as Json | undefined)?.path;
  return typeof path === 'string' && path.includes('/') ? path.split('/')[1] : key.split('_')[0];
}

interface Kind {
  readonly shape: Shape;
  /** The resource's readable name (tokens left out). */
  readonly name: (r: Resource) => string | undefined;
  /** What it is, in a few words. */
  readonly what: (r: Resource) => string;
}

/** The resource types drawn as nodes; everything else is glue read for the edges. */
export const KINDS: Readonly<Record<string, Kind>> = {
  fastly_service_vcl: { shape: 'box', name: (r) => str(r.config.name), what: () => 'Fastly service' },
  aws_elastic_beanstalk_environment: { shape: 'box', name: (r) => str(r.config.name), what: () => 'Beanstalk environment' },
  aws_rds_cluster: { shape: 'database', name: (r) => str(r.config.cluster_identifier), what: (r) => `Aurora ${str(r.config.engine) ?? ''}`.trim() },
  aws_db_instance: { shape: 'database', name: (r) => str(r.config.identifier), what: (r) => `RDS ${str(r.config.engine) ?? ''}`.trim() },
  aws_instance: {
    shape: 'database',
    name: (r) => str(tags(r).Name),
    what: (r) => (str(tags(r).SqlServerCluster) ? `SQL Server node, ${str(r.config.availability_zone) ?? 'EC2'}` : `EC2 ${str(r.config.instance_type) ?? ''}`.trim()),
  },
  aws_elasticache_replication_group: { shape: 'database', name: (r) => str(r.config.replication_group_id), what: (r) => `ElastiCache ${str(r.config.engine) ?? ''}`.trim() },
  aws_fsx_windows_file_system: { shape: 'box', name: (r) => str(tags(r).Name), what: () => 'FSx for Windows share' },
  aws_directory_service_directory: { shape: 'box', name: (r) => str(r.config.name), what: () => 'Managed Microsoft AD' },
  aws_sqs_queue: { shape: 'queue', name: (r) => str(r.config.name), what: () => 'SQS queue' },
  aws_lambda_function: { shape: 'round', name: (r) => str(r.config.function_name), what: () => 'Lambda' },
  aws_dynamodb_table: { shape: 'database', name: (r) => str(r.config.name), what: () => 'DynamoDB table' },
  aws_sns_topic: { shape: 'queue', name: (r) => str(r.config.name), what: () => 'SNS topic' },
};

/**
 * The metric namespace of Datadog's AWS integration for each drawn type that may share its
 * name with another (https://docs.datadoghq.com/integrations/amazon_sqs/#metrics, amazon_sns,
 * amazon_lambda, amazon_dynamodb).
 */
const METRICS: Readonly<Record<string, string>> = { aws_sqs_queue: 'aws.sqs.', aws_sns_topic: 'aws.sns.', aws_lambda_function: 'aws.lambda.', aws_dynamodb_table: 'aws.dynamodb.' };

/** Mail services the worker Lambdas call (their PROVIDER variable, constructs/mail). */
const PROVIDERS: Readonly<Record<string, string>> = { sendgrid: 'SendGrid Web API', ses: 'Amazon SES' };

/** A stack's diagram before it is written as Mermaid, with the node of each drawn resource. */
export interface AccountChart extends Flowchart {
  /** Terraform address (`type.key`) -> node id. */
  readonly nodeOf: ReadonlyMap<string, string>;
}

/** The nodes, groups and edges of a stack, before they are written as Mermaid. */
export function accountFlowchart(stack: StackJson): AccountChart {
  const all = new Map<string, Resource>();
  for (const [type, byKey] of Object.entries(stack.resource ?? {})) for (const [key, config] of Object.entries(byKey)) all.set(`${type}.${key}`, { type, key, config });
  const byType = (type: string) => [...all.values()].filter((r) => r.type === type);

  const nodes: Node[] = [];
  const { groups, group } = groupSet();
  const edges: Edge[] = [];
  const nodeOf = new Map<string, string>(); // address -> node id
  const names = new Map<string, string[]>(); // node id -> names Datadog tags may use
  const typeOf = new Map<string, string>(); // node id -> resource type
  const lines = new Map<string, string[]>();
  let next = 0;

  // Where a resource runs: the subnets it names, directly or through a subnet group or a network interface.
  const subnetsOf = (r: Resource): Resource[] => {
    const out = new Set<string>();
    for (const ref of references(r.config)) {
      if (ref.startsWith('aws_subnet.')) out.add(ref);
      else if (/^aws_(db_subnet_group|elasticache_subnet_group|network_interface)\./.test(ref)) {
        for (const inner of references(all.get(ref)?.config)) if (inner.startsWith('aws_subnet.')) out.add(inner);
      }
    }
    // A Beanstalk environment's load balancer subnets are not where the instances run.
    if (r.type === 'aws_elastic_beanstalk_environment') {
      const settings = Array.isArray(r.config.setting) ? (r.config.setting as Json[]) : [];
      const instances = settings.filter((s) => s.name === 'Subnets').flatMap((s) => references(s.value));
      return instances.map((a) => all.get(a)).filter((s): s is Resource => s !== undefined);
    }
    return [...out].sort().map((a) => all.get(a)).filter((s): s is Resource => s !== undefined);
  };
  const vpc = byType('aws_vpc')[0];
  const vpcGroup = () => group(`VPC ${str(vpc?.config.cidr_block) ?? ''}`.trim());
  const placeOf = (r: Resource): string => {
    const subnets = subnetsOf(r);
    if (subnets.length === 0) return group(constructOf(r.config, r.key));
    const tiers = [...new Set(subnets.map((s) => str(tags(s).Tier) ?? 'subnets'))].join(' + ');
    const zones = subnets.map((s) => str(s.config.availability_zone) ?? s.key).join(', ');
    return group(`${tiers}: ${zones}`, vpcGroup());
  };

  const dlqs = new Set(byType('aws_sqs_queue').flatMap((q) => references(q.config.redrive_policy)));
  for (const [address, r] of [...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const kind = KINDS[r.type];
    if (!kind) continue;
    const id = `n${++next}`;
    const name = kind.name(r) ?? constructOf(r.config, r.key);
    nodeOf.set(address, id);
    typeOf.set(id, r.type);
    names.set(id, [name, ...[tags(r).SqlServerCluster].filter((x): x is string => typeof x === 'string')]);
    lines.set(id, [name, dlqs.has(address) ? 'SQS dead-letter queue' : kind.what(r)]);
    nodes.push({ id, lines: [], shape: kind.shape, group: placeOf(r) });
  }
  const external = new Map<string, string>();
  const externalNode = (title: string, what: string): string => {
    let id = external.get(title);
    if (!id) {
      id = `n${++next}`;
      external.set(title, id);
      lines.set(id, [title, what]);
      nodes.push({ id, lines: [], shape: 'external' });
    }
    return id;
  };

  const seen = new Map<string, number>();
  const connect = (from: string | undefined, to: string | undefined, text?: string, dotted?: boolean) => {
    if (!from || !to || from === to) return;
    const k = `${from}>${to}`;
    const at = seen.get(k);
    if (at !== undefined) {
      const e = edges[at];
      if (text && e.text !== undefined && !e.text.split(', ').includes(text)) edges[at] = { ...e, text: `${e.text}, ${text}` };
      return;
    }
    seen.set(k, edges.length);
    edges.push({ from, to, text, dotted });
  };
  const linked = (a: string, b: string) => seen.has(`${a}>${b}`) || seen.has(`${b}>${a}`);

  // Fastly: each backend to the environment (or the external origin) it fetches from.
  for (const r of byType('fastly_service_vcl')) {
    const backends = Array.isArray(r.config.backend) ? (r.config.backend as Json[]) : [];
    for (const b of backends) {
      const target = references(b.address).map((a) => nodeOf.get(a)).find((x) => x) ?? externalNode(str(b.address) ?? 'origin', 'origin');
      connect(nodeOf.get(`${r.type}.${r.key}`), target, str(b.name));
    }
  }

  // Security groups: who may connect to what (rules naming another group), by their owners.
  const sgOwners = (sg: string): string[] => {
    const owners = new Set<string>();
    for (const [address, r] of all) {
      if (!references(r.config).includes(sg)) continue;
      if (nodeOf.has(address)) owners.add(address);
      // A network interface's group belongs to the instance attached to it.
      else if (r.type === 'aws_network_interface') for (const [a2, r2] of all) if (nodeOf.has(a2) && references(r2.config).includes(address)) owners.add(a2);
    }
    return [...owners];
  };
  for (const rule of byType('aws_vpc_security_group_ingress_rule')) {
    const [to] = references(rule.config.security_group_id);
    const [from] = references(rule.config.referenced_security_group_id);
    if (!to || !from) continue;
    for (const f of sgOwners(from)) {
      for (const t of sgOwners(to)) {
        // Rules inside one construct (a load balancer to its instances, cluster nodes to each other) are its own business.
        if (constructOf(all.get(f)!.config, all.get(f)!.key) === constructOf(all.get(t)!.config, all.get(t)!.key)) continue;
        connect(nodeOf.get(f), nodeOf.get(t), typeof rule.config.from_port === 'number' ? `port ${rule.config.from_port}` : undefined);
      }
    }
  }

  // Managed IAM policies attached to a role: what the role's users (through an instance profile) may write to.
  const roleUsers = (role: string): string[] => {
    const profiles = byType('aws_iam_instance_profile').filter((p) => references(p.config.role).includes(role)).map((p) => `${p.type}.${p.key}`);
    return [...all.entries()].filter(([a, r]) => nodeOf.has(a) && references(r.config).some((x) => x === role || profiles.includes(x))).map(([a]) => a);
  };
  for (const att of byType('aws_iam_role_policy_attachment')) {
    const [role] = references(att.config.role);
    const [policy] = references(att.config.policy_arn);
    if (!role || !policy?.startsWith('aws_iam_policy.')) continue;
    const targets = references(all.get(policy)?.config.policy).filter((a) => nodeOf.has(a));
    for (const u of roleUsers(role)) for (const t of targets) connect(nodeOf.get(u), nodeOf.get(t), 'sends');
  }

  // Event plumbing: queues feeding functions, topics feeding queues, SES events to topics.
  for (const m of byType('aws_lambda_event_source_mapping')) connect(nodeOf.get(references(m.config.event_source_arn)[0]), nodeOf.get(references(m.config.function_name)[0]));
  for (const s of byType('aws_sns_topic_subscription')) connect(nodeOf.get(references(s.config.topic_arn)[0]), nodeOf.get(references(s.config.endpoint)[0]));
  for (const d of byType('aws_sesv2_configuration_set_event_destination')) {
    for (const t of references(d.config.event_destination)) connect(externalNode(PROVIDERS.ses, 'mail service'), nodeOf.get(t), 'events');
  }
  for (const q of byType('aws_sqs_queue')) for (const t of references(q.config.redrive_policy)) connect(nodeOf.get(`${q.type}.${q.key}`), nodeOf.get(t), 'dead letters', true);

  // Functions: what their environment names (the history table, the dead-letter queue) and the mail service they call.
  for (const f of byType('aws_lambda_function')) {
    const id = nodeOf.get(`${f.type}.${f.key}`)!;
    const vars = ((f.config.environment as Json | undefined)?.variables ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(vars).sort()) {
      for (const t of references(value)) {
        const target = nodeOf.get(t);
        if (target && !linked(id, target)) connect(id, target, name);
      }
    }
    const provider = typeof vars.PROVIDER === 'string' ? PROVIDERS[vars.PROVIDER] : undefined;
    if (!provider) continue;
    if (typeof vars.QUEUE_URL === 'string') connect(id, externalNode(provider, 'mail service'), 'sends');
    else if (!edges.some((e) => e.to === id)) connect(externalNode(provider, 'mail service'), id, 'events');
  }

  // Anything else one drawn resource names of another (a file share joined to a directory).
  for (const [address, r] of all) {
    const from = nodeOf.get(address);
    if (!from) continue;
    for (const ref of references(r.config)) {
      const to = nodeOf.get(ref);
      if (to && !linked(from, to)) connect(from, to);
    }
  }

  // Datadog: monitors counted per target (their `target:` tag), SLOs by their `service:` tag.
  const datadog = () => group('Datadog');
  const matching = (name: string) => [...names.entries()].filter(([, ns]) => ns.includes(name)).map(([id]) => id);
  const tagValue = (r: Resource, key: string) => (Array.isArray(r.config.tags) ? r.config.tags : []).map(String).find((t) => t.startsWith(`${key}:`))?.slice(key.length + 1);
  // What a monitor watches: the nodes its target names; when several share that name (a mail
  // path's topic, queue and function), those of the AWS integration namespace its query reads;
  // when none does, the nodes its query scope names (`{topicname:...}`).
  const watched = (m: Resource, target: string): string[] => {
    const query = typeof m.config.query === 'string' ? m.config.query : '';
    const found = matching(target);
    const read = found.filter((id) => METRICS[typeOf.get(id)!] !== undefined && query.includes(METRICS[typeOf.get(id)!]));
    if (found.length > 1 && read.length > 0) return read;
    if (found.length > 0) return found;
    const scope = [...query.matchAll(/\{([^}]*)\}/g)].flatMap((s) => s[1].split(',')).map((t) => t.split(':')[1]?.trim());
    return [...new Set(scope.filter((v): v is string => !!v).flatMap(matching))];
  };
  const monitors = new Map<string, { readonly target: string; readonly ids: string[]; n: number }>();
  for (const m of byType('datadog_monitor')) {
    const target = tagValue(m, 'target') ?? tagValue(m, 'service') ?? 'untagged';
    const ids = watched(m, target);
    const key = `${target}\u0000${ids.join(',')}`;
    const seenBefore = monitors.get(key);
    if (seenBefore) seenBefore.n++;
    else monitors.set(key, { target, ids, n: 1 });
  }
  const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  for (const [, { target, ids, n }] of [...monitors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (ids.length === 1) {
      lines.get(ids[0])!.push(count(n, 'monitor'));
      continue;
    }
    const id = `n${++next}`;
    lines.set(id, [count(n, 'monitor'), `target ${target}`]);
    nodes.push({ id, lines: [], shape: 'note', group: datadog() });
    for (const f of ids) connect(id, f, undefined, true);
  }
  for (const s of byType('datadog_service_level_objective')) {
    const id = `n${++next}`;
    const threshold = Array.isArray(s.config.thresholds) ? (s.config.thresholds[0] as Json | undefined) : undefined;
    const goal = typeof threshold?.target === 'number' ? `${threshold.target}% over ${str(threshold.timeframe) ?? '?'}` : 'SLO';
    lines.set(id, [str(s.config.name) ?? s.key, `SLO ${goal}`]);
    nodes.push({ id, lines: [], shape: 'note', group: datadog() });
    const service = tagValue(s, 'service');
    for (const f of service ? matching(service) : []) connect(id, f, undefined, true);
  }

  // An account with nothing drawn (only a network, or the management account) still gets a readable diagram.
  if (nodes.length === 0) nodes.push({ id: 'n1', lines: ['nothing to draw', 'no service, application, database or mail path'], shape: 'note' });
  return { direction: 'LR', nodes: nodes.map((n) => ({ ...n, lines: lines.get(n.id) ?? n.lines })), edges, groups, nodeOf };
}

/** The Mermaid text of a stack's diagram. */
export function accountDiagram(stack: StackJson): string {
  return renderFlowchart(accountFlowchart(stack));
}

/** The Markdown file `npm start` writes next to a stack: a title and the diagram in a fence GitHub renders. */
export function diagramMarkdown(account: string, stack: StackJson): string {
  return `# ${account}\n\nGenerated by \`npm start\` from \`cdk.tf.json\` (tools/diagram): do not edit.\n\n\`\`\`mermaid\n${accountDiagram(stack)}\n\`\`\`\n`;
}

/** The file, next to each stack's `cdk.tf.json`, that holds its diagram. */
export const DIAGRAM_FILE = 'diagram.md';

/** Writes `stacks/<name>/diagram.md` for each synthesized stack in `outdir`. */
export function writeDiagrams(outdir: string, stacks: readonly string[]): void {
  for (const name of stacks) {
    const dir = join(outdir, 'stacks', name);
    writeFileSync(join(dir, DIAGRAM_FILE), diagramMarkdown(name, JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as StackJson));
  }
}
