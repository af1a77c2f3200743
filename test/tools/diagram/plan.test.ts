import { GITHUB_COMMENT_LIMIT, readPlan, renderPlan } from '../../../tools/plan-report';
import { STATEFUL_TYPES } from '../../../tools/plan-report/stateful';
import { INLINE_NODES, MAX_NODES, planDiagram } from '../../../tools/diagram/plan';
import { mermaidBlocks, parseMermaid } from './mermaid-parser';

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
    const [comment] = comments(p);
    expect(mermaidBlocks(comment)).toEqual([diagram]);
  });

  it('no diagram for a plan without changes', () => {
    expect(planDiagram([])).toBeUndefined();
    expect(comments(plan(0))[0]).not.toMatch(/mermaid|No diagram/);
  });
});
