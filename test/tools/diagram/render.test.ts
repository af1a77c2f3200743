import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { accountDiagram } from '../../../tools/diagram/account';
import { embedded } from '../../../tools/diagram/readme';
import { MERMAID_BUNDLE } from './mermaid-parser';

/** Debian's Chromium (`apt-get install -y chromium`), or the browser CHROMIUM names. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A page that renders `diagram` with the mermaid bundle, as GitHub's viewer does, and marks the outcome on <body>. */
function page(diagram: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><script src="file://${MERMAID_BUNDLE}"></script></head>
<body><div id="out"></div><script>
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
mermaid.render('diagram', ${JSON.stringify(diagram)})
  .then(({ svg }) => { document.getElementById('out').innerHTML = svg; document.body.dataset.rendered = 'ok'; })
  .catch((e) => { document.body.dataset.rendered = 'error: ' + e.message; });
</script></body></html>`;
}

function chromium(dir: string, args: string[]) {
  return spawnSync(CHROMIUM, [...FLAGS, `--user-data-dir=${join(dir, 'profile')}`, '--virtual-time-budget=10000', ...args], { encoding: 'utf8', timeout: 90_000 });
}

/**
 * Renders `diagram` in Chromium, checks Mermaid drew it, and hands the dumped DOM to `check`.
 * Without a browser it is a runtime skip (the repo forbids it.skip): it says so loudly, and checks the reason is true.
 */
function inBrowser(unchecked: string, diagram: string, check: (dom: string, dir: string, html: string) => void): void {
  if (!existsSync(CHROMIUM)) {
    console.log(`SKIPPED: no browser at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM): ${unchecked}`);
    expect(existsSync(CHROMIUM)).toBe(false);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'render-'));
  try {
    const html = join(dir, 'diagram.html');
    writeFileSync(html, page(diagram));
    const dom = chromium(dir, ['--dump-dom', `file://${html}`]);
    expect(dom.stdout.match(/data-rendered="([^"]*)"/)?.[1] ?? `no outcome; chromium said: ${dom.stderr.slice(0, 500)}`).toBe('ok');
    check(dom.stdout, dir, html);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('rendering in a real headless browser', () => {
  it('Chromium renders the README production diagram to an SVG with every account resource, and to a PNG', () => {
    const diagram = embedded(readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8'), 'production')!;
    inBrowser('the diagram was not rendered', diagram, (dom, dir, html) => {
      // Labels reach the picture as text: names, decoded entity codes, no raw escapes.
      const svg = dom.match(/<svg[\s\S]*<\/svg>/)?.[0] ?? '';
      for (const name of ['hotel-customer-prod', 'restaurant', 'SendGrid Web API', 'hotel-core-1', 'VPC 10.10.0.0/16']) expect(svg).toContain(name);
      expect(svg).toContain('[production] restaurant-availability');
      expect(svg).not.toMatch(/#9[13];/);
      const png = process.env.DIAGRAM_PNG ?? join(dir, 'diagram.png');
      const shot = chromium(dir, ['--hide-scrollbars', '--window-size=1800,2000', `--screenshot=${png}`, `file://${html}`]);
      expect(shot.status).toBe(0);
      const bytes = readFileSync(png);
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      expect(bytes.length).toBeGreaterThan(20_000); // a blank page is a few kB
    });
  }, 180_000);

  it('Chromium shows hostile names as text: no element, attribute or link comes from a label (securityLevel strict)', () => {
    const names = ['<img src=x onerror=alert(1)>', '<a href="javascript:alert(2)">x</a>', 'q"]\n  click n1 href "javascript:alert(3)"'];
    const diagram = accountDiagram({ resource: { aws_sqs_queue: Object.fromEntries(names.map((name, i) => [`q${i}`, { name }])) } });
    inBrowser('hostile labels were not rendered', diagram, (dom) => {
      const svg = new JSDOM(dom).window.document.querySelector('svg')!;
      const elements = [...svg.querySelectorAll('*')];
      expect(elements.filter((e) => ['img', 'a', 'script', 'iframe'].includes(e.localName)).map((e) => e.outerHTML)).toEqual([]);
      expect(elements.flatMap((e) => e.getAttributeNames().filter((a) => /^on|href$/i.test(a)))).toEqual([]);
      // Each name is the text of its node (a newline, made visible as \n, Mermaid draws as a line break).
      const labels = [...svg.querySelectorAll('.node .nodeLabel')].map((e) => e.textContent);
      expect(labels).toHaveLength(names.length);
      for (const name of names.slice(0, 2)) expect(labels).toContain(`${name}SQS queue`);
    });
  }, 180_000);
});
