import { PackName, PolicyRule } from './rule';
import { computeRules } from './rules/compute';
import { costRules } from './rules/cost';
import { dataRules } from './rules/data';
import { edgeRules } from './rules/edge';
import { iamRules } from './rules/iam';
import { identityRules } from './rules/identity';
import { imageRules } from './rules/images';
import { networkRules } from './rules/network';

/** Every rule, in the order the README lists them. */
export const ALL_RULES: readonly PolicyRule[] = [...dataRules, ...networkRules, ...computeRules, ...iamRules, ...edgeRules, ...identityRules, ...costRules, ...imageRules];

/** The packs an account runs: `baseline` everywhere, `production` on top in production. */
export function packsFor(environment: string): PackName[] {
  return environment === 'production' ? ['baseline', 'production'] : ['baseline'];
}

export function rulesIn(packs: readonly PackName[]): PolicyRule[] {
  return ALL_RULES.filter((r) => packs.includes(r.pack));
}
