import { sharedDefaults } from './defaults';
import { production } from './production';
import { sandbox } from './sandbox';
import { AccountConfig, AccountSource, Environment, resolveAccounts } from './schema';
import { staging } from './staging';

/** Every account, by folder. Adding an account: see "Adding an account" in the README. */
export const accountSources: readonly AccountSource[] = [
  { folder: 'production', overrides: production },
  { folder: 'staging', overrides: staging },
  { folder: 'sandbox', overrides: sandbox },
];

/**
 * Validates and resolves `sources` (all accounts by default); throws listing every problem.
 * `tiers` replaces the registry for generated accounts (the benchmark); real runs use it.
 */
export function loadAccounts(sources: readonly AccountSource[] = accountSources, tiers?: Readonly<Record<string, Environment>>): AccountConfig[] {
  return resolveAccounts(sources, sharedDefaults, tiers);
}
