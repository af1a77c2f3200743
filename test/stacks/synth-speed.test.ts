import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Lazy, TerraformOutput, TerraformStack, Testing, Tokenization } from 'cdktf';
import { accountSources, loadAccounts } from '../../accounts';
import { management } from '../../accounts/management';
import { UserError } from '../../constructs/core/validation';
import { AccountStack } from '../../stacks/account-stack';
import { selectSources, synthesizeAccounts } from '../../stacks/synthesize';
import { TOKEN_TRACES_ENV, disableTokenStackTraces, withTraceHint } from '../../stacks/token-traces';
import { tree } from '../helpers';

const folders = accountSources.map((s) => s.folder);

describe('token stack traces (cdktf/lib/tokens/private/stack-trace.js, captured by every Lazy and intrinsic)', () => {
  let root: string;
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'traces-'))));
  afterAll(() => {
    disableTokenStackTraces();
    rmSync(root, { recursive: true, force: true });
  });

  // What a Lazy token keeps of where it was made (cdktf/lib/tokens/lazy.js, creationStack).
  const creationStack = () => (Tokenization.reverseString(Lazy.stringValue({ produce: () => 'x' })).tokens[0] as unknown as { creationStack: string[] }).creationStack;

  it('are off by default and back on with INFRA_TOKEN_STACK_TRACES=1', () => {
    expect(disableTokenStackTraces({})).toBe(true);
    expect(creationStack()).toEqual([]);
    expect(disableTokenStackTraces({ [TOKEN_TRACES_ENV]: '1' })).toBe(false);
    expect(creationStack().length).toBeGreaterThan(0);
  });

  it('when off, a token that fails to resolve says how to see where it was made (cdktf/lib/tokens/resolvable.js appends the creation stack only when captured)', () => {
    const failure = (env: NodeJS.ProcessEnv): string => {
      disableTokenStackTraces(env);
      const app = new App({ outdir: join(root, 'bad-token') });
      new TerraformOutput(new TerraformStack(app, 'bad'), 'broken', { value: Lazy.stringValue({ produce: () => { throw new Error('no value for broken'); } }) });
      try {
        app.synth();
      } catch (error) {
        return withTraceHint((error as Error).message, env);
      }
      throw new Error('expected the synth to fail');
    };
    const off = failure({});
    expect(off).toContain('Resolution error: no value for broken');
    expect(off).not.toContain('Object creation stack');
    expect(off).toContain(`run again with ${TOKEN_TRACES_ENV}=1`);
    const on = failure({ [TOKEN_TRACES_ENV]: '1' });
    expect(on).toContain('Object creation stack');
    expect(on).toContain('synth-speed.test.ts');
    expect(on).not.toContain(TOKEN_TRACES_ENV);
  });

  it('do not change the synthesized JSON of any account; each stack is resolved once (the policy packs and the written file share it)', () => {
    disableTokenStackTraces({ [TOKEN_TRACES_ENV]: '1' });
    synthesizeAccounts({ outdir: join(root, 'with') });
    disableTokenStackTraces({});
    const resolve = jest.spyOn(TerraformStack.prototype, 'toTerraform');
    const result = synthesizeAccounts({ outdir: join(root, 'without') });
    expect(resolve).toHaveBeenCalledTimes(result.stacks.length);
    resolve.mockRestore();
    const withTraces = tree(join(root, 'with', 'stacks'));
    for (const f of folders) expect(Object.keys(withTraces)).toContain(`${f}/cdk.tf.json`);
    expect(tree(join(root, 'without', 'stacks'))).toEqual(withTraces);
  });
});

describe('one resolution per stack and synth (AccountStack.toTerraform)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'resolve-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('resolves again in the next synth, so a change made between two synths is written', () => {
    const account = loadAccounts().at(-1)!;
    const app = new App({ outdir: join(root, 'out') });
    const stack = new AccountStack(app, { account });
    const outputs = () => Object.keys((JSON.parse(readFileSync(join(root, 'out', 'stacks', account.name, 'cdk.tf.json'), 'utf8')) as { output?: object }).output ?? {});
    app.synth();
    // Whatever outputs the account has already (a Fastly TLS subscription has some): only the new one is added.
    const before = outputs();
    expect(before).not.toContain('added-after-first-synth');
    new TerraformOutput(stack, 'added-after-first-synth', { value: 'x' });
    app.synth();
    expect(outputs().sort()).toEqual([...before, 'added-after-first-synth'].sort());
  });

  it('keeps no resolution outside a synth: validations run by hand (Testing.synth(stack, true)) leave nothing a later change would not reach', () => {
    const account = loadAccounts().at(-1)!;
    const stack = new AccountStack(new App({ outdir: join(root, 'out') }), { account });
    Testing.synth(stack, true); // cdktf/lib/testing/index.js: runAllValidations, then toTerraform, with no synthesizer run
    new TerraformOutput(stack, 'added-after-validations', { value: 'x' });
    expect(Object.keys((JSON.parse(Testing.synth(stack)) as { output?: object }).output ?? {})).toContain('added-after-validations');
  });
});

describe('selectSources (npm start -- <account>)', () => {
  it('keeps every account without names, and the named ones in accounts/index.ts order', () => {
    expect(selectSources(accountSources)).toBe(accountSources);
    expect(selectSources(accountSources, [...folders].reverse().slice(0, 2)).map((s) => s.folder)).toEqual(folders.slice(-2));
  });

  it('refuses the management stack\'s name, saying when that stack is synthesized', () => {
    expect(() => selectSources(accountSources, [management.name])).toThrow(`no account named "${management.name}".`);
    expect(() => selectSources(accountSources, [management.name])).toThrow(`The ${management.name} stack is not an account folder: it is synthesized when every account its access matrix names is`);
    expect(() => selectSources(accountSources, ['nope'])).not.toThrow('stack is not an account folder');
  });

  it('refuses an unknown name, naming it and listing the known accounts', () => {
    expect(() => selectSources(accountSources, [folders[0], 'nope'])).toThrow(UserError);
    expect(() => selectSources(accountSources, [folders[0], 'nope'])).toThrow(`no account named "nope". The accounts (folders under accounts/, listed in accounts/index.ts) are: ${folders.join(', ')}.`);
  });
});
