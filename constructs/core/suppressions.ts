import { Construct } from 'constructs';

/** A policy rule turned off for a construct and everything under it, with the reason. */
export interface Suppression {
  /** The rule id, e.g. `RDS-ENCRYPTED`. */
  readonly rule: string;
  /** Why it is acceptable here: reviewed in the PR, listed by `npm start`. */
  readonly reason: string;
}

const METADATA_TYPE = 'policy-suppression';

/**
 * Suppresses a policy rule for `scope` and everything under it. Kept on the construct
 * itself, so it lives next to the resource in code (or in that resource's config).
 */
export function suppress(scope: Construct, rule: string, reason: string): void {
  scope.node.addMetadata(METADATA_TYPE, { rule, reason });
}

/** Every suppression under `root`, with the path of the construct it is on. */
export function suppressionsUnder(root: Construct): Array<Suppression & { path: string }> {
  return root.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === METADATA_TYPE).map((m) => ({ ...(m.data as Suppression), path: c.node.path })));
}
