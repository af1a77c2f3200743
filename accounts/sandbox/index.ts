import { AccountOverrides } from '../schema';

/** Sandbox: a place for developers to try infrastructure changes. No NAT: it costs. */
export const sandbox: AccountOverrides = {
  name: 'sandbox',
  accountId: '333333333333',
  environment: 'sandbox',
  state: { bucket: 'example-co-tfstate-333333333333' },
  tags: { costCenter: 'CC-9000' },
  network: { cidrBlock: '10.30.0.0/16', natGateways: 'none', flowLogRetentionDays: 30 },
  monitoring: { enabled: false, slack: { immediate: 'infra-sandbox', watch: 'infra-sandbox' } },
  // Preview stacks (one per labelled PR) run here too, each with a budget of its own.
  cost: { monthlyBudgetUsd: 1500 },
};
