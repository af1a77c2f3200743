import { accountSources, loadAccounts } from '../../accounts';
import { ACCOUNT_TIERS } from '../../accounts/registry';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedAccounts } from '../../tools/bench-accounts';
import { benchPlanJson } from '../../tools/bench-plan';

describe('the benchmark accounts', () => {
  it('pass every account rule, alone and beside the real accounts', () => {
    const { sources, tiers } = generatedAccounts(3);
    expect(loadAccounts(sources, tiers).map((a) => a.name)).toEqual(['bench-001', 'bench-002', 'bench-003']);
    expect(loadAccounts([...accountSources, ...sources], { ...ACCOUNT_TIERS, ...tiers })).toHaveLength(accountSources.length + 3);
  });
});

describe('the plan report benchmark', () => {
  it('is the size the README states (the plan npm run bench renders)', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const stated = /A plan of 20,000 changes \([^)]*?; ([\d.]+) MB of JSON/.exec(readme)?.[1];
    expect(stated).toBe((Buffer.byteLength(benchPlanJson(20000)) / 1e6).toFixed(1));
  });
});
