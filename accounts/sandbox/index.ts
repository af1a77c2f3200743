import { AccountOverrides } from '../schema';

/** Sandbox: a place for developers to try infrastructure changes. */
export const sandbox: AccountOverrides = {
  name: 'sandbox',
  accountId: '333333333333',
  environment: 'sandbox',
  state: { bucket: 'example-co-tfstate-333333333333' },
  tags: { costCenter: 'CC-9000' },
};
