import { TerraformStack } from 'cdktf';

/**
 * A stack resolved once per synth. cdktf resolves every token of a stack twice in one
 * synth: for the validations (the policy packs read the resolved JSON) and again to write
 * `cdk.tf.json`, right after them (cdktf/lib/synthesize/synthesizer.js). Aspects run
 * before the validations, so the tree is final there: the write, and the inventory's
 * policy report, reuse that one resolution.
 */
export abstract class ResolveOnceStack extends TerraformStack {
  private resolvedForSynth?: Record<string, unknown>;

  /** A new synth starts: the tree may have changed since the last one. */
  public override prepareStack(): void {
    this.resolvedForSynth = undefined;
    super.prepareStack();
  }

  public override runAllValidations(): void {
    this.resolvedForSynth = super.toTerraform();
    super.runAllValidations();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf's own return type
  public override toTerraform(): any {
    return this.resolvedForSynth ?? super.toTerraform();
  }
}
