import { GITHUB_COMMENT_LIMIT, readPlan, renderPlan } from '../../../tools/plan-report';
import { STATEFUL_TYPES } from '../../../tools/plan-report/stateful';
import { INLINE_NODES, MAX_NODES, planDiagram } from '../../../tools/diagram/plan';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAccounts } from '../../../accounts';
import { main } from '../../../tools/plan-report';
import { StackJson } from '../../../tools/diagram/account';
import { synthAccount } from '../../helpers';
import { mermaidBlocks, mermaidLimits, parseFlowchart, parseMermaid } from './mermaid-parser';

/** A plan of `n` changes cycling through the actions, addressed as cdktf addresses them (`<construct>_<id>_<hash>`). */
function plan(n: number, name = (i: number) => `app-${i % 3}_queue-${i}_0A1B2C3D`) {
  const actions = [['create'], ['update'], ['delete', 'create'], ['delete']];
  return {
    format_version: '1.2',
    planned_values: {},
    resource_changes: Array.from({ length: n }, (_, i) => ({
      address: `aws_sqs_queue.${name(i)}`, mode: 'managed', type: 'aws_sqs_queue', name: name(i),
      change: { actions: actions[i % 4], before: { name: `q-${i}` }, after: { name: `q-${i}` }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
    })),
  };
}
const comments = (p: ReturnType<typeof plan>, limit?: number) => renderPlan(p, { stack: 'production', allowDestroy: true, limit }).comments;

describe('plan comment diagram', () => {
  it('draws a small change open, each resource marked by text and class, grouped by construct; Mermaid parses it', async () => {
    const [comment] = comments(plan(8));
    const [diagram] = mermaidBlocks(comment);
    expect(diagram).toBeDefined();
    expect(comment).not.toContain('<summary>Diagram of the change');
    await expect(parseMermaid(diagram)).resolves.toBe('flowchart-v2');
    expect(diagram).toMatch(/n1\["\+ create<br\/>q-0<br\/>aws_sqs_queue"\]:::create/);
    // An update lists only what changes: the name then is the construct path, without cdktf's hash.
    expect(diagram).toMatch(/n2\["#126; update<br\/>app-1_queue-1<br\/>aws_sqs_queue"\]:::update/);
    expect(diagram).toMatch(/n3\["#33; replace<br\/>app-2_queue-2<br\/>aws_sqs_queue"\]:::replace/);
    expect(diagram).toMatch(/n4\["- delete<br\/>q-3<br\/>aws_sqs_queue"\]:::delete/);
    for (const c of ['create', 'update', 'replace', 'delete']) expect(diagram).toMatch(new RegExp(`^  classDef ${c} fill:#`, 'm'));
    expect(diagram.match(/subgraph g\d+\["app-\d"\]/g)).toHaveLength(3);
  });

  it(`folds the diagram in <details> above ${INLINE_NODES} resources, and leaves it out above ${MAX_NODES}`, async () => {
    const folded = comments(plan(INLINE_NODES + 1))[0];
    expect(folded).toContain(`<details><summary>Diagram of the change (${INLINE_NODES + 1} resources)</summary>\n\n\`\`\`mermaid\n`);
    await expect(parseMermaid(mermaidBlocks(folded)[0])).resolves.toBe('flowchart-v2');
    expect(mermaidBlocks(comments(plan(INLINE_NODES))[0])).toHaveLength(1);
    expect(comments(plan(INLINE_NODES))[0]).not.toContain('Diagram of the change');
    const big = comments(plan(MAX_NODES + 1));
    expect(big.join('\n')).not.toContain('```mermaid');
    expect(big[0]).toContain(`_No diagram: ${MAX_NODES + 1} resources change (drawn up to ${MAX_NODES})._`);
  });

  it('counts the diagram in the comment budget: every comment stays within the limit, no diagram is split', () => {
    for (const n of [8, INLINE_NODES, INLINE_NODES + 1, MAX_NODES]) {
      for (const limit of [4000, 9000, GITHUB_COMMENT_LIMIT]) {
        const cs = comments(plan(n), limit);
        for (const c of cs) {
          expect(c.length).toBeLessThanOrEqual(limit);
          expect((c.match(/^```/gm) ?? []).length % 2).toBe(0);
        }
        const all = cs.join('\n');
        const shown = mermaidBlocks(all);
        if (shown.length) expect(shown[0].match(/\["/g)).toHaveLength(n + (shown[0].match(/subgraph/g) ?? []).length);
        else expect(all).toMatch(/_No diagram: /);
      }
    }
    // A quarter of GitHub's comment is within Mermaid's text limit, so a diagram shown is never replaced by its size error.
    expect(GITHUB_COMMENT_LIMIT / 4).toBeLessThanOrEqual(mermaidLimits().maxTextSize);
    // At the smallest limit a 150-resource diagram cannot take a quarter of a comment: it is left out, saying why.
    expect(comments(plan(MAX_NODES), 4000)[0]).toContain('_No diagram: it would take more than a quarter of a comment (150 resources)._');
  });

  it('escapes plan text (addresses, names) in labels: Mermaid parses it and nothing closes the fence', async () => {
    const hostile = (i: number) => `q["\`\`\`\\n<img src=x> #${i} \\"]\\u202e"]`;
    const p = plan(4, (i) => `mail_${i}`);
    p.resource_changes.forEach((rc, i) => {
      rc.address = `aws_sqs_queue.${hostile(i)}`;
      rc.change.before = { name: `end\n\`\`\`\n%% ${i} "]` };
      rc.change.after = rc.change.before;
    });
    const diagram = planDiagram(readPlan(p, STATEFUL_TYPES).changes)!.text;
    expect(diagram).not.toMatch(/`|<img|"\]"/);
    await expect(parseMermaid(diagram)).resolves.toBe('flowchart-v2');
    // Mermaid's parser sees the four changes as four nodes, each with its marker, name and type, and nothing else.
    const parsed = await parseFlowchart(diagram);
    expect(parsed.vertices.map((v) => [v.id, v.lines.length, v.link, v.tooltip])).toEqual([1, 2, 3, 4].map((i) => [`n${i}`, 3, undefined, undefined]));
    expect(parsed.vertices[0].lines[1]).toBe('end\\n```\\n%% 0 "]');
    expect(parsed.edges).toBe(0);
    const [comment] = comments(p);
    expect(mermaidBlocks(comment)).toEqual([diagram]);
  });

  it('no diagram for a plan without changes', () => {
    expect(planDiagram([])).toBeUndefined();
    expect(comments(plan(0))[0]).not.toMatch(/mermaid|No diagram/);
  });
});

describe('plan comment diagram with the synthesized stack', () => {
  const production = synthAccount(loadAccounts().find((a) => a.name === 'production')!) as StackJson;
  const key = (type: string, match: RegExp) => Object.keys(production.resource![type]).find((k) => match.test(k))!;
  const env = `aws_elastic_beanstalk_environment.${key('aws_elastic_beanstalk_environment', /restaurant-prod/)}`;
  const db = `aws_rds_cluster.${key('aws_rds_cluster', /^aurora-restaurant_/)}`;
  const rule = `aws_vpc_security_group_ingress_rule.${key('aws_vpc_security_group_ingress_rule', /^aurora-restaurant_client-0/)}`;
  const change = (address: string, actions: string[]) => ({
    address, mode: 'managed', type: address.split('.')[0], name: address.split('.')[1],
    change: { actions, before: {}, after: {}, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
  });
  const doc = {
    format_version: '1.2',
    planned_values: {},
    resource_changes: [change(env, ['update']), change(db, ['delete', 'create']), change(rule, ['create']), change('aws_sqs_queue.legacy_0A1B2C3D', ['delete'])],
  };

  it('groups drawn resources by subnet inside the VPC, links them as the account diagram does, and the rest by construct', async () => {
    const diagram = planDiagram(readPlan(doc, STATEFUL_TYPES).changes, production)!.text;
    await expect(parseMermaid(diagram)).resolves.toBe('flowchart-v2');
    expect(diagram).toMatch(/subgraph g1\["VPC 10\.10\.0\.0\/16"\]\n {4}subgraph g2\["private: [^"]+"\]\n {6}n1\["#126; update<br\/>restaurant-prod<br\/>aws_elastic_beanstalk_environment"\]:::update/);
    expect(diagram).toMatch(/subgraph g\d\["isolated: [^"]+"\]\n {6}n2\["#33; replace<br\/>restaurant<br\/>aws_rds_cluster"\]:::replace/);
    expect(diagram).toContain('n1 -->|"port 5432"| n2');
    expect(diagram).toMatch(/subgraph g\d\["aurora-restaurant"\]\n {4}n3\["\+ create<br\/>aurora-restaurant_client-0<br\/>aws_vpc_security_group_ingress_rule"\]:::create/);
    expect(diagram).toMatch(/subgraph g\d\["legacy"\]\n {4}n4\["- delete<br\/>legacy<br\/>aws_sqs_queue"\]:::delete/);
  });

  it('the CLI reads the cdk.tf.json next to the plan file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-diagram-'));
    try {
      writeFileSync(join(dir, 'plan.json'), JSON.stringify(doc));
      const run = () => main(['--plan', join(dir, 'plan.json'), '--stack', 'production', '--out', join(dir, 'out'), '--allow-destroy'], () => undefined, () => undefined);
      expect(run()).toBe(0);
      expect(readFileSync(join(dir, 'out', 'comment-1.md'), 'utf8')).not.toContain('VPC 10.10.0.0/16');
      writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(production));
      expect(run()).toBe(0);
      expect(mermaidBlocks(readFileSync(join(dir, 'out', 'comment-1.md'), 'utf8'))[0]).toContain('VPC 10.10.0.0/16');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
