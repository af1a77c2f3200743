/**
 * Keeps the diagrams embedded in READMEs in step with the code. A README holds a
 * generated diagram between two markers:
 *
 *   <!-- diagram:production -->
 *   ```mermaid
 *   ...
 *   ```
 *   <!-- /diagram:production -->
 *
 *   npm run diagrams    (synthesizes, then rewrites every marked block of README.md and
 *                        the `example` block of each construct README in EXAMPLES)
 *
 * The tests regenerate each block and fail when a README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizeAccounts } from '../../stacks/synthesize';
import { StackJson, accountDiagram } from './account';
import { EXAMPLES, exampleDiagram } from './examples';

const block = (name: string) => new RegExp(`(<!-- diagram:${name} -->\\n)[\\s\\S]*?(\\n<!-- /diagram:${name} -->)`);

/** The Mermaid text between a README's markers for `name`; undefined when it has none. */
export function embedded(readme: string, name: string): string | undefined {
  const m = readme.match(new RegExp(`<!-- diagram:${name} -->\\n\`\`\`mermaid\\n([\\s\\S]*?)\\n\`\`\`\\n<!-- /diagram:${name} -->`));
  return m?.[1];
}

/** `readme` with the block for `name` replaced by `diagram`; throws when the markers are missing. */
export function embed(readme: string, name: string, diagram: string): string {
  if (!block(name).test(readme)) throw new Error(`no <!-- diagram:${name} --> ... <!-- /diagram:${name} --> markers`);
  return readme.replace(block(name), (_, open: string, close: string) => `${open}\`\`\`mermaid\n${diagram}\n\`\`\`${close}`);
}

/** The accounts whose diagrams README.md embeds. */
export const README_DIAGRAMS = ['production'];

if (require.main === module) {
  const result = synthesizeAccounts();
  const file = join(__dirname, '..', '..', '..', 'README.md');
  let readme = readFileSync(file, 'utf8');
  for (const name of README_DIAGRAMS) {
    const json = JSON.parse(readFileSync(join(result.outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as StackJson;
    readme = embed(readme, name, accountDiagram(json));
  }
  writeFileSync(file, readme);
  console.log(`README.md: ${README_DIAGRAMS.join(', ')} diagram(s) regenerated`);
  for (const construct of Object.keys(EXAMPLES)) {
    const path = join(__dirname, '..', '..', '..', 'constructs', construct, 'README.md');
    writeFileSync(path, embed(readFileSync(path, 'utf8'), 'example', exampleDiagram(construct)));
    console.log(`constructs/${construct}/README.md: example diagram regenerated`);
  }
}
