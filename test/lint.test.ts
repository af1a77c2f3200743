import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** The rule ids ESLint (with the project's config, as `npm test` runs it) reports for `code`. */
function lint(code: string): string[] {
  const result = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', 'constructs/example.ts', '--format', 'json'], { cwd: root, input: code, encoding: 'utf8' });
  return (JSON.parse(result.stdout) as Array<{ messages: Array<{ ruleId: string }> }>)[0].messages.map((m) => m.ruleId);
}

/** A file importing `name` from `module` (built here, so no source line holds a root import). */
const importing = (name: string, module: string) => `import { ${name} } from '${module}';\nexport const x = ${name};\n`;

describe('ESLint', () => {
  it('rejects importing a provider package from its root', () => {
    expect(lint(importing('Vpc', '@cdktf/provider-aws'))).toEqual(['no-restricted-imports']);
    expect(lint(importing('Monitor', '@cdktf/provider-datadog'))).toEqual(['no-restricted-imports']);
  });

  it('accepts the deep import', () => {
    expect(lint(importing('Vpc', '@cdktf/provider-aws/lib/vpc'))).toEqual([]);
  });
});
