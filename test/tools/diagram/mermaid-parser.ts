import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

/** The browser bundle of the `mermaid` package: the parser GitHub's renderer runs. */
export const MERMAID_BUNDLE = require.resolve('mermaid/dist/mermaid.min.js');

interface Mermaid {
  parse(text: string): Promise<{ diagramType: string }>;
}

let loaded: Mermaid | undefined;

/**
 * Mermaid's own parser, in a jsdom window: the package is a browser bundle (its parser
 * needs `window` and DOMPurify), so it runs as a classic script there. Throws Mermaid's
 * parse error for text it rejects.
 */
export async function parseMermaid(text: string): Promise<string> {
  if (!loaded) {
    const dom = new JSDOM('<!doctype html><html><body></body></html>', { runScripts: 'dangerously', pretendToBeVisual: true });
    const script = dom.window.document.createElement('script');
    script.textContent = readFileSync(MERMAID_BUNDLE, 'utf8');
    dom.window.document.body.appendChild(script);
    loaded = (dom.window as unknown as { mermaid: Mermaid }).mermaid;
  }
  return (await loaded.parse(text)).diagramType;
}

/** The Mermaid blocks of a Markdown text. */
export const mermaidBlocks = (markdown: string): string[] => [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);
