import { IStackSynthesizer, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/**
 * A stack resolved once per synth. cdktf resolves every token of a stack twice in one
 * synth: for the validations (the policy packs read the resolved JSON) and again to write
 * `cdk.tf.json`, right after them (cdktf/lib/synthesize/synthesizer.js). Aspects run
 * before the validations, so the tree is final there: the write, and the inventory's
 * policy report, reuse that one resolution.
 *
 * The resolution is kept only while the stack's synthesizer runs, and dropped when it
 * ends: validations run outside a synth (`Testing.synth(stack, true)`, `policy.run()`) get
 * a fresh resolution, so a change made afterwards is never hidden by a stale one.
 */
export abstract class ResolveOnceStack extends TerraformStack {
  private synthesizing = false;
  private resolvedForSynth?: Record<string, unknown>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const synthesizer: IStackSynthesizer = this.synthesizer;
    this.synthesizer = {
      synthesize: (session) => {
        this.synthesizing = true;
        try {
          synthesizer.synthesize(session);
        } finally {
          this.synthesizing = false;
          this.resolvedForSynth = undefined;
        }
      },
    };
  }

  public override runAllValidations(): void {
    if (this.synthesizing) this.resolvedForSynth = super.toTerraform();
    super.runAllValidations();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf's own return type
  public override toTerraform(): any {
    return this.resolvedForSynth ?? super.toTerraform();
  }
}
