/**
 * The diagram of what a plan touches, for the pull request comment: one node per changed
 * resource, each marked by colour (classDef) AND by a text marker, for readers who cannot
 * tell the colours apart. Grouped as the account diagram groups them: given the stack's
 * synthesized JSON, a resource the account diagram draws goes in the same subgraph (its
 * subnets inside the VPC), with the edges between changed resources; the others (and
 * resources deleted from the configuration) go in a subgraph of the construct that made them.
 */
import { Action, Change } from '../plan-report/plan';
import { StackJson, accountFlowchart, constructOf } from './account';
import { Edge, Flowchart, Node, groupSet, renderFlowchart } from './mermaid';

/** Up to this many changed resources, the diagram is shown open; above, folded in `<details>`. */
export const INLINE_NODES = 40;
/** Above this many changed resources the diagram is left out: too large to read or to render. */
export const MAX_NODES = 150;

/** The text marker (as in the diff lines of the report) and the class of each action. */
const ACTIONS: Record<Action, { readonly marker: string; readonly className: string }> = {
  create: { marker: '+ create', className: 'create' },
  update: { marker: '~ update', className: 'update' },
  replace: { marker: '! replace', className: 'replace' },
  'create-forget': { marker: '! replace, old one kept unmanaged', className: 'replace' },
  delete: { marker: '- delete', className: 'delete' },
  forget: { marker: '. forget', className: 'other' },
  read: { marker: 'read', className: 'other' },
  'no-op': { marker: 'moved or imported', className: 'other' },
};

/** Colours with a darker border per action; the text marker carries the same meaning. */
const CLASSES = {
  create: 'fill:#d4f7d4,stroke:#1a7f37,color:#000',
  update: 'fill:#fff3c4,stroke:#9a6700,color:#000',
  replace: 'fill:#ffd8b5,stroke:#bc4c00,color:#000,stroke-width:3px',
  delete: 'fill:#ffd7d5,stroke:#cf222e,color:#000,stroke-width:3px,stroke-dasharray:5 3',
  other: 'fill:#eaeef2,stroke:#57606a,color:#000',
};

/** Attributes that name a resource, in the order tried. */
const NAME_PATHS = ['name', 'function_name', 'cluster_identifier', 'identifier', 'replication_group_id', 'bucket', 'tags.Name'];

/** Where the change is: the resource name of its address (after any module path and the type). */
function resourceName(c: Change): string {
  const rest = c.address.startsWith(`${c.type}.`) ? c.address.slice(c.type.length + 1) : c.address.slice(c.address.indexOf(`.${c.type}.`) + c.type.length + 2);
  return rest;
}

/** A readable name: a naming attribute the plan lists (creates, deletes, renames), else the resource name without cdktf's hash. */
function readableName(c: Change): string {
  const attributes = c.attributes();
  for (const path of NAME_PATHS) {
    const a = attributes.find((x) => x.path === path);
    const side = a?.after?.kind === 'value' ? a.after : a?.before;
    if (side?.kind === 'value' && typeof side.value === 'string' && side.value !== '') return side.value;
  }
  return resourceName(c).replace(/_[0-9A-F]{8}$/, '');
}

export interface PlanDiagram {
  readonly text: string;
  /** Changed resources drawn. */
  readonly nodes: number;
}

/**
 * The Mermaid text of a plan's changes; undefined when there is nothing to draw or more
 * than MAX_NODES. `stack` is the synthesized stack the plan was made from, when at hand.
 */
export function planDiagram(changes: readonly Change[], stack?: StackJson): PlanDiagram | undefined {
  if (changes.length === 0 || changes.length > MAX_NODES) return undefined;
  const layout = stack ? accountFlowchart(stack) : undefined;
  const { groups, group } = groupSet();
  // The account diagram's subgraph of a node, recreated with its parents.
  const copied = new Map<string, string>();
  const copy = (id: string): string => {
    let mine = copied.get(id);
    if (!mine) {
      const g = layout!.groups.find((x) => x.id === id)!;
      mine = group(g.title, g.parent === undefined ? undefined : copy(g.parent));
      copied.set(id, mine);
    }
    return mine;
  };
  const mineOf = new Map<string, string>(); // account diagram node id -> plan node id
  const nodes: Node[] = changes.map((c, i) => {
    const id = `n${i + 1}`;
    const drawn = layout?.nodeOf.get(c.address);
    const inLayout = drawn === undefined ? undefined : layout!.nodes.find((n) => n.id === drawn);
    if (drawn) mineOf.set(drawn, id);
    const place = inLayout?.group !== undefined ? copy(inLayout.group) : group(constructOf({}, resourceName(c).replace(/\[.*$/, '')));
    const { marker, className } = ACTIONS[c.action];
    return { id, lines: [marker, inLayout?.lines[0] ?? readableName(c), c.type], group: place, className };
  });
  const edges: Edge[] = (layout?.edges ?? [])
    .filter((e) => mineOf.has(e.from) && mineOf.has(e.to))
    .map((e) => ({ ...e, from: mineOf.get(e.from)!, to: mineOf.get(e.to)! }));
  const used = new Set(nodes.map((n) => n.className!));
  const chart: Flowchart = {
    direction: 'LR',
    nodes,
    edges,
    groups,
    classes: Object.fromEntries(Object.entries(CLASSES).filter(([name]) => used.has(name))),
  };
  return { text: renderFlowchart(chart), nodes: nodes.length };
}
