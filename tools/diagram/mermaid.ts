/**
 * A small Mermaid `flowchart` model and its text. Every label comes from configuration or
 * a plan (resource names, tags, plan values) and is untrusted: `label` turns it into text
 * Mermaid shows literally and that cannot end the quoted label, the line, or the Markdown
 * fence around the diagram.
 */
import { shorten, visible } from '../plan-report/text';

/** Characters a label keeps as they are; every other one becomes a Mermaid entity code. */
const SAFE = /[A-Za-z0-9 .,:/_()+=@-]/;

/** Longest label line, in characters, before it is shortened with an ellipsis. */
export const MAX_LABEL_LINE = 60;

/**
 * One line of a label, escaped for a double-quoted Mermaid label: newlines, tabs and
 * invisible or reordering characters are first made visible (`\u202e`, as in the plan
 * report), then every character outside a small safe set is written as a decimal entity
 * code (`#35;` for `#`, `#34;` for `"`). Mermaid's documented escape is `#<decimal>;`
 * (https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters): no
 * quote, bracket, pipe, backtick, `<` or `#` is left to end the label, open HTML or close
 * a fence.
 */
export function labelLine(text: string): string {
  let out = '';
  for (const c of shorten(visible(text), MAX_LABEL_LINE)) out += SAFE.test(c) ? c : `#${c.codePointAt(0)};`;
  return out;
}

/** A label of several lines, joined with Mermaid's line break. */
export const label = (lines: readonly string[]): string => lines.map(labelLine).join('<br/>');

export type Shape = 'box' | 'round' | 'database' | 'queue' | 'external' | 'note';

export interface Node {
  readonly id: string;
  /** Label lines (untrusted text, escaped when written). */
  readonly lines: readonly string[];
  readonly shape?: Shape;
  /** The subgraph holding the node; undefined at the top level. */
  readonly group?: string;
  /** A classDef name. */
  readonly className?: string;
}

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly text?: string;
  readonly dotted?: boolean;
}

export interface Group {
  readonly id: string;
  readonly title: string;
  /** The enclosing subgraph; undefined at the top level. */
  readonly parent?: string;
}

export interface Flowchart {
  readonly direction?: 'LR' | 'TB';
  readonly nodes: readonly Node[];
  readonly edges: readonly Edge[];
  readonly groups: readonly Group[];
  /** classDef lines: name -> style (trusted, written as is). */
  readonly classes?: Readonly<Record<string, string>>;
}

/** Subgraphs made on first use: one per title under the same parent. */
export function groupSet(): { readonly groups: Group[]; group(title: string, parent?: string): string } {
  const groups: Group[] = [];
  const ids = new Map<string, string>();
  return {
    groups,
    group(title, parent) {
      const key = `${parent ?? ''}\u0000${title}`;
      let id = ids.get(key);
      if (!id) {
        id = `g${ids.size + 1}`;
        ids.set(key, id);
        groups.push({ id, title, parent });
      }
      return id;
    },
  };
}

const OPEN: Record<Shape, [string, string]> = {
  box: ['[', ']'],
  round: ['(', ')'],
  database: ['[(', ')]'],
  queue: ['[[', ']]'],
  external: ['{{', '}}'],
  note: ['>', ']'],
};

/** The Mermaid text of a flowchart: groups nested, nodes in their groups, then edges and classes. */
export function renderFlowchart(chart: Flowchart): string {
  const lines = [`flowchart ${chart.direction ?? 'LR'}`];
  const node = (n: Node, indent: string) => {
    const [open, close] = OPEN[n.shape ?? 'box'];
    lines.push(`${indent}${n.id}${open}"${label(n.lines)}"${close}${n.className ? `:::${n.className}` : ''}`);
  };
  const writeGroup = (parent: string | undefined, indent: string) => {
    for (const n of chart.nodes.filter((x) => x.group === parent)) node(n, indent);
    for (const g of chart.groups.filter((x) => x.parent === parent)) {
      lines.push(`${indent}subgraph ${g.id}["${labelLine(g.title)}"]`);
      writeGroup(g.id, `${indent}  `);
      lines.push(`${indent}end`);
    }
  };
  writeGroup(undefined, '  ');
  for (const e of chart.edges) {
    const arrow = e.dotted ? '-.->' : '-->';
    lines.push(`  ${e.from} ${arrow}${e.text ? `|"${labelLine(e.text)}"|` : ''} ${e.to}`);
  }
  for (const [name, style] of Object.entries(chart.classes ?? {})) lines.push(`  classDef ${name} ${style}`);
  return lines.join('\n');
}
