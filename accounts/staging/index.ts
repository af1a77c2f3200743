import { AccountOverrides } from '../schema';

/** Staging: production's shape at a smaller size, for release checks. */
export const staging: AccountOverrides = {
  name: 'staging',
  accountId: '222222222222',
  environment: 'staging',
  state: { bucket: 'example-co-tfstate-222222222222' },
  tags: { costCenter: 'CC-2200' },
};
