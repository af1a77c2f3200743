import { App } from 'cdktf';
import { loadAccounts } from '../accounts';
import { management } from '../accounts/management';
import { preview } from '../accounts/sandbox/preview';
import { BootstrapStack } from './bootstrap-stack';

// `npm run bootstrap`: one stack per account in bootstrap.out/stacks/bootstrap-<account>,
// applied once by an administrator (see bootstrap/README.md).
const app = new App({ outdir: 'bootstrap.out' });
// The management account (accounts/management.ts) runs the management stack: same bootstrap.
for (const account of [...loadAccounts(), management]) {
  new BootstrapStack(app, {
    account,
    plannerPrincipalArns: [`arn:aws:iam::${account.accountId}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_AdministratorAccess_*`],
    previewRole: account.name === preview.account ? preview.role : undefined,
  });
}
app.synth();
console.log('Bootstrap stacks written to bootstrap.out/stacks/bootstrap-<account>. See bootstrap/README.md.');
