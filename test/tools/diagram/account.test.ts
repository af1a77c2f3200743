import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SynthesizeResult, formatInventory, synthesizeAccounts } from '../../../stacks/synthesize';
import { DIAGRAM_FILE, KINDS, StackJson, accountDiagram, accountFlowchart } from '../../../tools/diagram/account';
import { MAX_LABEL_LINE, labelLine } from '../../../tools/diagram/mermaid';
import { shorten, visible } from '../../../tools/plan-report/text';
import { README_DIAGRAMS, embed, embedded } from '../../../tools/diagram/readme';
import { mermaidBlocks, mermaidLimits, parseFlowchart, parseMermaid } from './mermaid-parser';

let root: string;
let result: SynthesizeResult;
const stacks = new Map<string, StackJson>();
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'diagram-'));
  result = synthesizeAccounts({ outdir: join(root, 'cdktf.out') });
  for (const s of result.stacks) stacks.set(s.account.name, JSON.parse(readFileSync(join(result.outdir, 'stacks', s.account.name, 'cdk.tf.json'), 'utf8')));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const resources = (json: StackJson, type: string) => Object.values(json.resource?.[type] ?? {});
const labelOf = (chart: ReturnType<typeof accountFlowchart>, first: string) => chart.nodes.filter((n) => n.lines[0] === first);

describe('account diagrams written by npm start', () => {
  it('writes a diagram file for every synthesized stack, which Mermaid parses as a flowchart', async () => {
    expect(result.stacks.length).toBeGreaterThan(1);
    for (const s of result.stacks) {
      const text = readFileSync(join(result.outdir, 'stacks', s.account.name, DIAGRAM_FILE), 'utf8');
      const blocks = mermaidBlocks(text);
      expect(blocks).toEqual([accountDiagram(stacks.get(s.account.name)!)]);
      await expect(parseMermaid(blocks[0])).resolves.toBe('flowchart-v2');
      // Within Mermaid's limits, or GitHub shows an error box instead of the diagram.
      const { maxTextSize, maxEdges } = mermaidLimits();
      expect([s.account.name, blocks[0].length <= maxTextSize, accountFlowchart(stacks.get(s.account.name)!).edges.length <= maxEdges]).toEqual([s.account.name, true, true]);
    }
  });

  it('the inventory points at the diagram files in one line', () => {
    const lines = formatInventory(result, root).split('\n').filter((l) => l.includes(DIAGRAM_FILE));
    expect(lines).toEqual([`Diagrams (Mermaid): cdktf.out/stacks/<account>/${DIAGRAM_FILE}`]);
  });

  it('draws one node per resource of each drawn type, named by its readable name, never its logical id', () => {
    for (const [name, json] of stacks) {
      const chart = accountFlowchart(json);
      for (const type of Object.keys(KINDS)) {
        for (const [key, config] of Object.entries(json.resource?.[type] ?? {})) {
          const readable = KINDS[type].name({ type, key, config });
          if (readable !== undefined) expect([name, type, readable, labelOf(chart, readable).length > 0]).toEqual([name, type, readable, true]);
        }
      }
      expect(chart.nodes.flatMap((n) => n.lines).join('\n')).not.toMatch(/_[0-9A-F]{8}\b/); // no cdktf unique ids
    }
  });

  describe('production', () => {
    let chart: ReturnType<typeof accountFlowchart>;
    beforeAll(() => (chart = accountFlowchart(stacks.get('production')!)));
    const id = (first: string) => {
      const found = labelOf(chart, first);
      expect(found).toHaveLength(1);
      return found[0].id;
    };
    const edge = (from: string, to: string) => chart.edges.find((e) => e.from === id(from) && e.to === id(to));

    it('draws each Fastly backend to the Beanstalk environment it fetches from, labelled with the backend name', () => {
      const service = resources(stacks.get('production')!, 'fastly_service_vcl')[0];
      const backends = service.backend as Array<{ name: string; address: string }>;
      const envs = stacks.get('production')!.resource!.aws_elastic_beanstalk_environment;
      let checked = 0;
      for (const b of backends) {
        const key = b.address.match(/aws_elastic_beanstalk_environment\.([^.]+)\./)?.[1];
        if (!key) continue;
        expect(edge(service.name as string, envs[key].name as string)?.text).toBe(b.name);
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    });

    it('draws an edge from each client environment to each database its security group lets in, with the port', () => {
      for (const db of [...resources(stacks.get('production')!, 'aws_rds_cluster')]) {
        const into = chart.edges.filter((e) => e.to === id(db.cluster_identifier as string));
        expect(into.length).toBeGreaterThan(0);
        expect(into.every((e) => /^port \d+$/.test(e.text ?? ''))).toBe(true);
      }
      expect(edge('restaurant-prod', 'restaurant')?.text).toBe('port 5432');
    });

    it('draws the mail path: senders -> queue -> worker -> provider, history table and dead letters', () => {
      expect(edge('hotel-operator-prod', 'internal-mail')?.text).toBe('sends');
      expect(edge('internal-mail', 'internal-mail-worker')).toBeDefined();
      expect(edge('internal-mail-worker', 'Amazon SES')?.text).toBe('sends');
      expect(edge('customer-mail-worker', 'SendGrid Web API')?.text).toBe('sends');
      expect(edge('internal-mail-worker', 'internal-mail-history')?.text).toBe('HISTORY_TABLE');
      expect(edge('internal-mail', 'internal-mail-dlq')).toMatchObject({ text: 'dead letters', dotted: true });
    });

    it('counts monitors per target on the node they watch, and attaches SLOs to their service', () => {
      const monitors = resources(stacks.get('production')!, 'datadog_monitor').filter((m) => (m.tags as string[]).includes('target:restaurant-prod'));
      expect(monitors.length).toBeGreaterThan(1);
      expect(labelOf(chart, 'restaurant-prod')[0].lines).toContain(`${monitors.length} monitors`);
      const slo = chart.nodes.find((n) => n.lines[0] === '[production] restaurant-availability')!;
      expect(chart.edges).toContainEqual({ from: slo.id, to: id('restaurant-prod'), text: undefined, dotted: true });
    });

    it('a monitor counts on what its query reads: the SQS queue or the function, not the topic of the same name; by its query scope when no node bears its target', () => {
      const monitors = resources(stacks.get('production')!, 'datadog_monitor');
      const reading = (namespace: string) => monitors.filter((m) => (m.tags as string[]).includes('target:internal-mail-ses-events') && String(m.query).includes(namespace)).length;
      const expected: Record<string, number> = { 'SQS queue': reading('aws.sqs.'), Lambda: reading('aws.lambda.'), 'SNS topic': reading('aws.sns.') };
      expect(expected['SQS queue']).toBeGreaterThan(0);
      const count = (n: number) => (n === 0 ? undefined : `${n} monitor${n === 1 ? '' : 's'}`);
      const named = labelOf(chart, 'internal-mail-ses-events');
      expect(named.map((n) => n.lines[1]).sort()).toEqual(['Lambda', 'SNS topic', 'SQS queue']);
      for (const n of named) expect([n.lines[1], n.lines[2]]).toEqual([n.lines[1], count(expected[n.lines[1]])]);
      // The image pipeline's monitor is tagged with the pipeline, and reads its failure topic.
      expect(monitors.filter((m) => (m.tags as string[]).includes('target:windows-iis')).map((m) => m.query)).toEqual([expect.stringContaining('{topicname:windows-iis-image-failures}')]);
      expect(labelOf(chart, 'windows-iis-image-failures')[0].lines).toContain('1 monitor');
      expect(chart.nodes.flatMap((n) => n.lines).filter((l) => /^target (internal-mail-ses-events|windows-iis)$/.test(l))).toEqual([]);
    });

    it('shows no Lambda environment value (keys, URLs): only the names of the variables that link resources', () => {
      const text = accountDiagram(stacks.get('production')!);
      const values = resources(stacks.get('production')!, 'aws_lambda_function').flatMap((f) => Object.values((f.environment as { variables: Record<string, string> }).variables));
      const plain = values.filter((v) => !v.includes('${') && v.length > 30); // keys, not names such as a configuration set
      expect(plain.length).toBeGreaterThan(0);
      for (const v of plain) expect(text).not.toContain(v.slice(0, 20));
    });

    it('groups resources in the VPC by the subnets they run in, and the others by construct', () => {
      const group = (first: string) => chart.groups.find((g) => g.id === labelOf(chart, first)[0].group)!;
      expect(group('restaurant').title).toMatch(/^isolated: /);
      expect(group('restaurant-prod').title).toMatch(/^private: /);
      expect(chart.groups.find((g) => g.id === group('restaurant').parent)?.title).toMatch(/^VPC \d/);
      expect(group('customer-mail').title).toBe('mail-customer');
    });
  });

  it('README.md embeds the current diagram of each listed account (regenerate with npm run diagrams)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    for (const name of README_DIAGRAMS) expect(embedded(readme, name)).toBe(accountDiagram(stacks.get(name)!));
  });
});

describe('untrusted names', () => {
  const hostile = [
    'a"b', 'x]y[z', 'c#d;', '<img src=x onerror=alert(1)>', '```\nend', 'pipe|s', 'back`tick', 'evil\u202eelif', '%% comment', 'e{f}g',
    // Whole Mermaid statements, should a label end: a link, a click callback, a directive, a shape, an entity.
    'a --> b', 'x"]\n  click n1 href "javascript:alert(1)"\n  n9["', '%%{init: {"securityLevel": "loose"}}%%', 'n1@{ shape: circle }', '#34;', '&lt;b&gt;', '~~~\n# title',
  ];
  const stack: StackJson = {
    resource: {
      aws_sqs_queue: Object.fromEntries(hostile.map((name, i) => [`q${i}`, { name }])),
      fastly_service_vcl: { s: { name: 'svc"]-->x', backend: [{ name: 'b"|x', address: 'host"]' }] } },
    },
  };

  it('labels keep only safe characters and entity codes: nothing can end a label or a fence', () => {
    for (const name of hostile) expect(labelLine(name)).toMatch(/^([A-Za-z0-9 .,:/_()+=@-]|#\d+;)*$/);
    expect(labelLine('a"b#c')).toBe('a#34;b#35;c');
    expect(labelLine('evil\u202eelif')).toBe('evil#92;u202eelif'); // made visible first, as in the plan report
  });

  it('Mermaid parses a diagram of hostile names, with every name as one node', async () => {
    const text = accountDiagram(stack);
    expect(text).not.toMatch(/`/);
    await expect(parseMermaid(text)).resolves.toBe('flowchart-v2');
    expect(accountFlowchart(stack).nodes.filter((n) => n.lines[1] === 'SQS queue')).toHaveLength(hostile.length);
  });

  it("Mermaid's parser (securityLevel strict) reads each hostile name back as the text of its own node: no extra node, edge, subgraph, link or click", async () => {
    const chart = accountFlowchart(stack);
    const parsed = await parseFlowchart(accountDiagram(stack));
    const shown = (lines: readonly string[]) => lines.map((l) => shorten(visible(l), MAX_LABEL_LINE));
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(parsed.vertices.map((v) => ({ id: v.id, lines: v.lines })).sort(byId)).toEqual(chart.nodes.map((n) => ({ id: n.id, lines: shown(n.lines) })).sort(byId));
    expect(parsed.vertices.filter((v) => v.link !== undefined || v.tooltip !== undefined)).toEqual([]);
    expect([parsed.edges, parsed.subgraphs]).toEqual([chart.edges.length, chart.groups.length]);
    for (const name of hostile) expect(parsed.vertices.map((v) => v.lines[0])).toContain(shorten(visible(name), MAX_LABEL_LINE));
  });

  it('the structural check can fail: a label left unescaped becomes a click callback and a node of its own', async () => {
    const parsed = await parseFlowchart('flowchart LR\n  n1["x"]\n  click n1 href "javascript:alert(1)"\n  n9["y"]');
    expect(parsed.vertices.map((v) => v.id)).toEqual(['n1', 'n9']);
    expect(parsed.vertices[0].link).toBeDefined();
  });

  it('the parser used here does reject a broken label (the check can fail)', async () => {
    await expect(parseMermaid('flowchart LR\n  n1["a"b"]')).rejects.toThrow(/Parse error/);
  });

  it('a stack with nothing to draw still gets a valid diagram saying so', async () => {
    const text = accountDiagram({ resource: { aws_vpc: { v: { cidr_block: '10.0.0.0/16' } } } });
    expect(text).toContain('nothing to draw');
    await expect(parseMermaid(text)).resolves.toBe('flowchart-v2');
  });

  it('embed refuses a README without the markers', () => {
    expect(() => embed('# x', 'production', 'flowchart LR')).toThrow(/no <!-- diagram:production -->/);
  });
});
