import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

/** The browser bundle of the `mermaid` package: the parser GitHub's renderer runs. */
export const MERMAID_BUNDLE = require.resolve('mermaid/dist/mermaid.min.js');

/** What Mermaid's flowchart parser built from a text (its `db`), as far as the tests read it. */
interface FlowDb {
  getVertices(): Map<string, { id: string; text?: string; link?: string; classes: string[] }>;
  getEdges(): unknown[];
  getSubGraphs(): unknown[];
  getTooltip(id: string): string | undefined;
}

interface Mermaid {
  initialize(config: Record<string, unknown>): void;
  parse(text: string): Promise<{ diagramType: string }>;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: FlowDb }>; getConfig(): { maxTextSize: number; maxEdges: number } };
}

let loaded: Mermaid | undefined;

/** The mermaid bundle in a jsdom window: the package is a browser bundle (its parser needs `window` and DOMPurify), so it runs as a classic script there. */
function mermaid(): Mermaid {
  if (!loaded) {
    const dom = new JSDOM('<!doctype html><html><body></body></html>', { runScripts: 'dangerously', pretendToBeVisual: true });
    const script = dom.window.document.createElement('script');
    script.textContent = readFileSync(MERMAID_BUNDLE, 'utf8');
    dom.window.document.body.appendChild(script);
    loaded = (dom.window as unknown as { mermaid: Mermaid }).mermaid;
    // As GitHub and the render test: no click callbacks, HTML in labels sanitized (Mermaid's
    // default, set explicitly so a change of default cannot loosen the tests).
    loaded.initialize({ startOnLoad: false, securityLevel: 'strict' });
  }
  return loaded;
}

/** Mermaid's own parser: the diagram type, or Mermaid's parse error for text it rejects. */
export async function parseMermaid(text: string): Promise<string> {
  return (await mermaid().parse(text)).diagramType;
}

/**
 * What Mermaid's flowchart parser made of a text: its vertices with their label (entity codes
 * decoded, as the renderer shows them), link and tooltip, and how many edges and subgraphs.
 * A label that escaped its quotes shows here as extra vertices, edges, links or tooltips.
 */
export async function parseFlowchart(text: string) {
  await parseMermaid(text); // loads the flowchart parser, or throws its error
  const { db } = await mermaid().mermaidAPI.getDiagramFromText(text);
  // Mermaid swaps `#<decimal>;` for a placeholder while parsing and back when rendering.
  const decode = (s = '') => s.replace(/ﬂ°°(\d+)¶ß/g, (_, n: string) => String.fromCodePoint(Number(n)));
  const vertices = [...db.getVertices().values()].map((v) => ({ id: v.id, lines: decode(v.text).split(/<br\s*\/?>/), link: v.link, tooltip: db.getTooltip(v.id), classes: v.classes }));
  return { vertices, edges: db.getEdges().length, subgraphs: db.getSubGraphs().length };
}

/**
 * Mermaid's size limits (its config defaults, which GitHub keeps): a longer text renders as
 * "Maximum text size in diagram exceeded" instead of the diagram, more edges as an error.
 */
export function mermaidLimits(): { maxTextSize: number; maxEdges: number } {
  const { maxTextSize, maxEdges } = mermaid().mermaidAPI.getConfig();
  return { maxTextSize, maxEdges };
}

/** The Mermaid blocks of a Markdown text. */
export const mermaidBlocks = (markdown: string): string[] => [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);
