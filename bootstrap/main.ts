import { App } from 'cdktf';
import { loadAccounts } from '../accounts';
import { management } from '../accounts/management';
import { resolveManagement } from '../accounts/management-schema';
import { preview } from '../accounts/sandbox/preview';
import { bootstrapStacks } from './bootstrap-app';

// `npm run bootstrap`: one stack per account in bootstrap.out/stacks/bootstrap-<account>,
// applied once by an administrator (see bootstrap/README.md).
const app = new App({ outdir: 'bootstrap.out' });
const accounts = loadAccounts();
bootstrapStacks(app, accounts, resolveManagement(management, accounts), preview);
app.synth();
console.log('Bootstrap stacks written to bootstrap.out/stacks/bootstrap-<account>. See bootstrap/README.md.');
