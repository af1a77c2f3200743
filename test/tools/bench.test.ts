import { accountSources, loadAccounts } from '../../accounts';
import { ACCOUNT_TIERS } from '../../accounts/registry';
import { generatedAccounts } from '../../tools/bench-accounts';

describe('the benchmark accounts', () => {
  it('pass every account rule, alone and beside the real accounts', () => {
    const { sources, tiers } = generatedAccounts(3);
    expect(loadAccounts(sources, tiers).map((a) => a.name)).toEqual(['bench-001', 'bench-002', 'bench-003']);
    expect(loadAccounts([...accountSources, ...sources], { ...ACCOUNT_TIERS, ...tiers })).toHaveLength(accountSources.length + 3);
  });
});
