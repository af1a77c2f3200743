/**
 * `npm run policy-table`: prints the rules table of policies/README.md, and the list of
 * upstream checks deliberately not covered, from the rules themselves. Paste it over the
 * "The rules" section when adding or changing a rule; a test checks that the README
 * matches the rules.
 */
import { ALL_RULES } from '../policies/packs';
import { NOT_COVERED } from '../policies/upstream';

const cell = (s: string) => s.replace(/\|/g, '\\|');
console.log('| id | pack | what | why | cdk-nag | checkov | partly covered |');
console.log('|---|---|---|---|---|---|---|');
for (const r of ALL_RULES) {
  console.log(`| \`${r.id}\` | ${r.pack} | ${cell(r.info)} | ${cell(r.explanation)} | ${r.cdkNag ?? '-'} | ${r.checkov ?? '-'} | ${cell(r.partly ?? '-')} |`);
}
console.log('');
console.log('Upstream checks deliberately not covered:');
console.log('');
for (const n of NOT_COVERED) console.log(`- ${n.ids}: ${n.reason}`);
