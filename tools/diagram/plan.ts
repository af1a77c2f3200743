/**
 * The diagram of what a plan touches, for the pull request comment: one node per changed
 * resource, grouped by the construct that made it (as the account diagram groups what is
 * outside the VPC), each marked by colour (classDef) AND by a text marker, for readers
 * who cannot tell the colours apart.
 */
import { Action, Change } from '../plan-report/plan';
import { constructOf } from './account';
import { Flowchart, Node, renderFlowchart } from './mermaid';

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

/** The Mermaid text of a plan's changes; undefined when there is nothing to draw or more than MAX_NODES. */
export function planDiagram(changes: readonly Change[]): PlanDiagram | undefined {
  if (changes.length === 0 || changes.length > MAX_NODES) return undefined;
  const groups = new Map<string, string>();
  const nodes: Node[] = changes.map((c, i) => {
    const construct = constructOf({}, resourceName(c).replace(/\[.*$/, ''));
    let group = groups.get(construct);
    if (!group) groups.set(construct, (group = `g${groups.size + 1}`));
    const { marker, className } = ACTIONS[c.action];
    return { id: `n${i + 1}`, lines: [marker, readableName(c), c.type], group, className };
  });
  const used = new Set(nodes.map((n) => n.className!));
  const chart: Flowchart = {
    direction: 'LR',
    nodes,
    edges: [],
    groups: [...groups].map(([title, id]) => ({ id, title })),
    classes: Object.fromEntries(Object.entries(CLASSES).filter(([name]) => used.has(name))),
  };
  return { text: renderFlowchart(chart), nodes: nodes.length };
}
