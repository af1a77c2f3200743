import { sharedDefaults } from './defaults';
import { production } from './production';
import { sandbox } from './sandbox';
import { AccountConfig, AccountSource, resolveAccounts } from './schema';
import { staging } from './staging';

/** Every account, by folder. Adding an account is a new folder and one line here. */
export const accountSources: readonly AccountSource[] = [
  { folder: 'production', overrides: production },
  { folder: 'staging', overrides: staging },
  { folder: 'sandbox', overrides: sandbox },
];

/** Validates and resolves `sources` (all accounts by default); throws listing every problem. */
export function loadAccounts(sources: readonly AccountSource[] = accountSources): AccountConfig[] {
  return resolveAccounts(sources, sharedDefaults);
}
