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
  directory: /Managed Microsoft AD/,
  cache: /ElastiCache valkey/,
  fastly: /Fastly service/,
  mail: /SQS queue/,
  monitoring: /SLO 99\.5#37; over 30d/,
};

/**
 * Construct READMEs without an example, and why: the account diagram draws what connects
 * (services, databases, queues), and these make nothing it draws, or nothing but a lone topic.
 */
const NO_EXAMPLE: Record<string, string> = {
  network: 'drawn as the VPC and subnet groups around the other examples',
  identity: 'IAM roles and policies only',
  cost: 'budget topics only (they appear in every example)',
  'image-pipeline': 'an image builder and one failure topic',
};

describe('construct README example diagrams', () => {
  it('every construct README has an example diagram, or a reason here not to', () => {
    const all = readdirSync(constructs).filter((c) => existsSync(join(constructs, c, 'README.md')));
    expect(all.filter((c) => !(c in EXAMPLES) && !(c in NO_EXAMPLE))).toEqual([]);
    expect(Object.keys(NO_EXAMPLE).filter((c) => !all.includes(c) || c in EXAMPLES)).toEqual([]);
  });

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
