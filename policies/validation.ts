import { TerraformStack } from 'cdktf';
import { IValidation } from 'constructs';
import { suppressionsUnder } from '../constructs/core/suppressions';
import { PolicyReport, evaluate } from './engine';
import { rulesIn } from './packs';
import { PackName, stackOf } from './rule';

/**
 * The policy packs as a cdktf validation on a stack: it runs inside `app.synth()`, on the
 * stack's resolved Terraform JSON, before anything is written. The report is kept so the
 * caller can print violations in full and list suppressions in the inventory.
 */
export class PolicyValidation implements IValidation {
  public report?: PolicyReport;

  constructor(
    private readonly stack: TerraformStack,
    private readonly packs: readonly PackName[],
  ) {}

  /** Evaluates the stack now (also what `validate` does). */
  public run(): PolicyReport {
    const synthesized = stackOf(this.stack.node.id, this.stack.toTerraform());
    this.report = evaluate(synthesized, rulesIn(this.packs), suppressionsUnder(this.stack));
    return this.report;
  }

  public validate(): string[] {
    return this.run().violations.map((v) => `${v.rule.id}: ${v.resource.path}: ${v.rule.info} Fix: ${v.rule.fix}`);
  }
}

/** Adds the packs for `environment` to `stack`. */
export function enforcePolicies(stack: TerraformStack, packs: readonly PackName[]): PolicyValidation {
  const validation = new PolicyValidation(stack, packs);
  stack.node.addValidation(validation);
  return validation;
}
