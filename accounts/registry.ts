import type { Environment } from './schema';

/**
 * Every AWS account this repository manages, by account id, with its tier: what the
 * account *is*, independently of what its config file says.
 *
 * An account's `environment` switches on the production defaults (deletion protection,
 * immutable deploys, the production policy pack), so a one-word edit from `production` to
 * `sandbox` would quietly drop them. The loader refuses an account whose `environment` is
 * below the tier registered here unless the file carries an `environmentOverride` with a
 * reason; an account id missing from this list is refused too. Changing a line here is a
 * change of what an account is: it gets the same review as a production plan.
 */
export const ACCOUNT_TIERS: Readonly<Record<string, Environment>> = {
  '111111111111': 'production',
  '222222222222': 'staging',
  '333333333333': 'sandbox',
  '777777777777': 'production', // the organization's management account (accounts/management.ts)
};
