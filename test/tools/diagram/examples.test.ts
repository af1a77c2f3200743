import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES, exampleDiagram } from '../../../tools/diagram/examples';
import { embedded } from '../../../tools/diagram/readme';
import { parseMermaid } from './mermaid-parser';

const constructs = join(__dirname, '..', '..', '..', 'constructs');
const readme = (c: string) => readFileSync(join(constructs, c, 'README.md'), 'utf8');
/** What each example must show: the construct's own resource, by the words of its label. */
const SHOWS: Record<string, RegExp> = {
  beanstalk: /Beanstalk environment/,
  aurora: /Aurora aurora-postgresql/,
  sqlserver: /RDS sqlserver/,
  cache: /ElastiCache valkey/,
  fastly: /Fastly service/,
  mail: /SQS queue/,
  monitoring: /SLO 99\.5#37; over 30d/,
};

describe('construct README example diagrams', () => {
  it('every construct README with an example block has an example, and every example a README block', () => {
    const marked = readdirSync(constructs).filter((c) => existsSync(join(constructs, c, 'README.md')) && readme(c).includes('<!-- diagram:example -->'));
    expect(marked.sort()).toEqual(Object.keys(EXAMPLES).sort());
    expect(Object.keys(SHOWS).sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  for (const construct of Object.keys(EXAMPLES)) {
    it(`constructs/${construct}/README.md shows the current generated diagram (npm run diagrams), which Mermaid parses`, async () => {
      const diagram = exampleDiagram(construct);
      expect(diagram).toMatch(SHOWS[construct]);
      expect(diagram).toMatch(/-\.?->/); // it shows connections, not a lone node
      expect(embedded(readme(construct), 'example')).toBe(diagram);
      await expect(parseMermaid(diagram)).resolves.toBe('flowchart-v2');
    });
  }
});
