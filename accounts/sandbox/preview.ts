import type { PreviewSettings } from '../../stacks/preview-stack';

/**
 * Preview stacks (one per pull request labelled `preview`, see README "Preview stacks") run
 * in this account, built from the apps and databases of `source` at the `preview` size.
 */
export const preview: PreviewSettings = {
  account: 'sandbox',
  source: 'staging',
  // A wildcard certificate for *.preview.example-hotel.jp in the sandbox account: the
  // source's certificates belong to its own account and cannot be used here.
  certificateArn: 'arn:aws:acm:ap-northeast-1:333333333333:certificate/7d3c1f0a-2b4e-4c6d-9e8f-a1b2c3d4e5f6',
  monthlyBudgetUsd: 150,
  ttlDays: 7,
  role: 'infra-ci-preview',
};
