/**
 * `npm run policy-table`: prints the rules table of policies/README.md from the rules
 * themselves. Paste it over the table when adding or changing a rule; a test checks that
 * the README matches the rules.
 */
import { ALL_RULES } from '../policies/packs';

const cell = (s: string) => s.replace(/\|/g, '\\|');
console.log('| id | pack | what | why | cdk-nag | checkov |');
console.log('|---|---|---|---|---|---|');
for (const r of ALL_RULES) {
  console.log(`| \`${r.id}\` | ${r.pack} | ${cell(r.info)} | ${cell(r.explanation)} | ${r.cdkNag ?? '-'} | ${r.checkov ?? '-'} |`);
}
