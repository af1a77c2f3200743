/**
 * The access matrix of accounts/management.ts as the Markdown table the README shows:
 * one row per group, one column per account, the permission sets in each cell.
 *
 *   npm run build --silent && node dist/tools/access-matrix.js
 *
 * A test regenerates it and compares it with the README (between the access-matrix markers).
 */
import { accountSources } from '../accounts';
import { management } from '../accounts/management';
import type { ManagementConfig } from '../accounts/management-schema';

export function renderAccessMatrix(config: Pick<ManagementConfig, 'access' | 'permissionSets'>, accountNames: readonly string[]): string {
  const groups = [...new Set(config.access.map((g) => g.group))];
  const session = (name: string) => config.permissionSets.find((p) => p.name === name)?.sessionDuration ?? '';
  const cell = (group: string, account: string) =>
    config.access
      .filter((g) => g.group === group && g.accounts.includes(account))
      .map((g) => `${g.permissionSet} (${session(g.permissionSet).replace(/^PT/, '').toLowerCase()})`)
      .join(', ') || '-';
  return [
    `| group | ${accountNames.join(' | ')} |`,
    `|---|${accountNames.map(() => '---').join('|')}|`,
    ...groups.map((g) => `| ${g} | ${accountNames.map((a) => cell(g, a)).join(' | ')} |`),
  ].join('\n');
}

if (require.main === module) {
  console.log(renderAccessMatrix(management, [...accountSources.map((s) => s.folder), management.name]));
}
