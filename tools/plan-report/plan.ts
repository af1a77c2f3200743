/**
 * Reads `terraform show -json <planfile>` into what the report shows. The format is
 * documented at https://developer.hashicorp.com/terraform/internals/json-format and
 * produced by internal/command/jsonplan/plan.go in hashicorp/terraform: field names,
 * action lists and action reasons below come from there.
 */
import { AttributeChange, Path, anyMarked, attributeChanges, formatPath } from './values';

export class PlanFormatError extends Error {}

/** Plans Terraform could not finish: refused, but still reported on the PR with their errors. */
export class PlanErroredError extends PlanFormatError {
  constructor(message: string, readonly diagnostics: readonly Diagnostic[]) {
    super(message);
  }
}

type Json = Record<string, unknown>;

/** What Terraform will do to one object. `create-forget` replaces it and leaves the old one running, unmanaged. */
export type Action = 'create' | 'update' | 'delete' | 'replace' | 'create-forget' | 'forget' | 'read' | 'no-op';

export interface Change {
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  /** Where the object was in the last run, when a `moved` block moves it. */
  readonly previousAddress?: string;
  /** Set when the change imports an existing object (`import` block). */
  readonly importing?: { readonly id?: string; readonly unknown?: boolean };
  /** Why Terraform replaces, deletes or reads it (`action_reason`), in words. */
  readonly reason?: string;
  /** The deposed object's key, when the change is to an object left behind by create_before_destroy. */
  readonly deposed?: string;
  /** The attributes to show, computed when rendered (a plan may hold tens of thousands of changes). */
  readonly attributes: () => readonly AttributeChange[];
  /** The paths that force the replacement, as written in the report. */
  readonly replacePaths: readonly string[];
  /** Why this type is stateful; undefined when it is not. */
  readonly statefulReason?: string;
}

export interface OutputChange {
  readonly name: string;
  readonly action: Action;
  readonly attribute: AttributeChange;
}

export interface DeferredChange {
  readonly change: Change;
  readonly reason: string;
}

/** An action (Terraform 1.14 `action` blocks) the apply will invoke: a side effect, not a resource. */
export interface ActionInvocation {
  readonly address: string;
  /** What triggers it, e.g. "after create of aws_lambda_function.x"; undefined when invoked directly. */
  readonly trigger?: string;
}

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  /** Resource address or file:line it is about. */
  readonly where?: string;
}

export interface Plan {
  readonly terraformVersion?: string;
  /** Changes a reviewer must see: no reads, no no-ops unless moved or imported. */
  readonly changes: readonly Change[];
  /** Objects changed outside Terraform since the last run (`resource_drift`). */
  readonly drift: readonly Change[];
  readonly outputs: readonly OutputChange[];
  readonly deferred: readonly DeferredChange[];
  readonly actions: readonly ActionInvocation[];
  /** False when applying this plan leaves work for another plan (`complete: false`). */
  readonly complete: boolean;
  /** Failed `check` blocks and conditions, and Terraform's diagnostics when given. */
  readonly diagnostics: readonly Diagnostic[];
}

/** `action_reason` values (internal/command/jsonplan/plan.go) in words. */
export const ACTION_REASONS: Readonly<Record<string, string>> = {
  replace_because_cannot_update: 'an attribute that cannot be changed in place changed',
  replace_because_tainted: 'it is tainted (a create or apply failed midway)',
  replace_by_request: 'replacement was requested (-replace)',
  replace_by_triggers: 'replace_triggered_by fired',
  delete_because_no_resource_config: 'it is no longer in the configuration',
  delete_because_wrong_repetition: 'count or for_each was added or removed',
  delete_because_count_index: 'its count index is no longer in range',
  delete_because_each_key: 'its for_each key is gone',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_no_move_target: 'it was moved to an address that is not in the configuration',
  read_because_config_unknown: 'its configuration depends on values known only after apply',
  read_because_dependency_pending: 'it depends on a pending change',
  read_because_check_nested: 'it is read by a check block',
};

/** `deferred_changes[].reason` values in words. */
export const DEFERRED_REASONS: Readonly<Record<string, string>> = {
  unknown: 'unknown reason',
  instance_count_unknown: 'its count or for_each is known only after apply',
  resource_config_unknown: 'its configuration is known only after apply',
  provider_config_unknown: 'its provider configuration is known only after apply',
  deferred_prereq: 'it depends on another deferred change',
  absent_prereq: 'something it depends on does not exist yet',
  excluded: 'excluded from this plan',
  not_included: 'not included in this plan',
};

/** Parses and checks a `terraform show -json` document; throws PlanFormatError saying what is wrong. */
export function parsePlan(text: string, source = 'plan'): Json {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (error) {
    throw new PlanFormatError(`${source}: not JSON (${(error as Error).message}); expected the output of "terraform show -json <planfile>"`);
  }
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan)) throw new PlanFormatError(`${source}: expected a JSON object, got ${Array.isArray(plan) ? 'an array' : typeof plan}`);
  const p = plan as Json;
  if (typeof p.lineage === 'string' || typeof p.serial === 'number') {
    throw new PlanFormatError(`${source}: this is a Terraform state file (it has "lineage"/"serial"), not a plan; expected the output of "terraform show -json <planfile>"`);
  }
  if (typeof p.format_version !== 'string') throw new PlanFormatError(`${source}: no "format_version": this is not "terraform show -json" output`);
  // Major versions 0 (Terraform 0.12-0.15) and 1 share the fields read here; a new major
  // version is incompatible by the format's own rule.
  if (!/^[01]\./.test(p.format_version)) throw new PlanFormatError(`${source}: "format_version" ${JSON.stringify(p.format_version)} is not supported; this report reads formats 0.x and 1.x`);
  // `terraform show -json` of a state has "values" and none of a plan's fields
  // (a plan always has "planned_values", even when empty).
  if ('values' in p && !('planned_values' in p) && !('resource_changes' in p)) {
    throw new PlanFormatError(`${source}: this is a state ("terraform show -json" without a plan file: it has "values" and no "planned_values"), not a plan; run "terraform show -json <planfile>"`);
  }
  for (const field of ['resource_changes', 'resource_drift', 'deferred_changes', 'action_invocations', 'checks', 'diagnostics'] as const) {
    if (p[field] !== undefined && !Array.isArray(p[field])) throw new PlanFormatError(`${source}: "${field}" must be an array, got ${typeof p[field]}`);
  }
  if (p.output_changes !== undefined && (typeof p.output_changes !== 'object' || p.output_changes === null || Array.isArray(p.output_changes))) {
    throw new PlanFormatError(`${source}: "output_changes" must be an object of output name -> change`);
  }
  return p;
}

/** Terraform's action lists (jsonplan Change.Actions) to one action. */
export function actionOf(actions: unknown, where: string): Action {
  switch (Array.isArray(actions) ? actions.join(',') : '') {
    case 'create': return 'create';
    case 'update': return 'update';
    case 'delete': return 'delete';
    case 'delete,create':
    case 'create,delete': return 'replace';
    case 'create,forget': return 'create-forget';
    case 'forget': return 'forget';
    case 'read': return 'read';
    case 'no-op': return 'no-op';
    default: throw new PlanFormatError(`${where}: unknown actions ${JSON.stringify(actions)}; expected one of ["create"], ["update"], ["delete"], ["delete","create"], ["create","delete"], ["create","forget"], ["forget"], ["read"], ["no-op"]`);
  }
}

/** Which side of the change to list attributes of. */
const sideOf = (action: Action) => (action === 'create' ? 'after' : action === 'delete' || action === 'forget' ? 'before' : 'both');

function isPath(p: unknown): p is Path {
  return Array.isArray(p) && p.every((s) => typeof s === 'string' || typeof s === 'number');
}

function resourceChange(rc: Json, where: string, stateful: Readonly<Record<string, string>>): Change {
  const address = typeof rc.address === 'string' ? rc.address : undefined;
  if (address === undefined || typeof rc.type !== 'string' || typeof rc.change !== 'object' || rc.change === null) {
    throw new PlanFormatError(`${address ?? where}: expected "address", "type" and "change" on every resource change`);
  }
  const change = rc.change as Json;
  const action = actionOf(change.actions, `resource ${address}`);
  const rawPaths = change.replace_paths ?? [];
  if (!Array.isArray(rawPaths) || !rawPaths.every(isPath)) throw new PlanFormatError(`resource ${address}: "replace_paths" must be a list of paths (lists of strings and numbers)`);
  const importing = typeof change.importing === 'object' && change.importing !== null ? (change.importing as Json) : undefined;
  const reason = typeof rc.action_reason === 'string' && rc.action_reason !== '' ? ACTION_REASONS[rc.action_reason] ?? rc.action_reason : undefined;
  return {
    address,
    type: rc.type,
    action,
    previousAddress: typeof rc.previous_address === 'string' ? rc.previous_address : undefined,
    importing: importing ? { id: typeof importing.id === 'string' ? importing.id : undefined, unknown: importing.unknown === true } : undefined,
    reason,
    deposed: typeof rc.deposed === 'string' ? rc.deposed : undefined,
    attributes: () => (action === 'read' || action === 'no-op' ? [] : attributeChanges(change, rawPaths, sideOf(action))),
    replacePaths: rawPaths.map(formatPath),
    statefulReason: rc.mode === 'data' ? undefined : stateful[rc.type],
  };
}

/** Changes worth a line: managed resources whose action is not a no-op, or that move or are imported. */
const worthShowing = (rc: Json, c: Change) => rc.mode !== 'data' && c.action !== 'read' && (c.action !== 'no-op' || c.previousAddress !== undefined || c.importing !== undefined);

function checkProblems(checks: Json[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const check of checks) {
    if (check.status !== 'fail' && check.status !== 'error') continue;
    const address = (check.address ?? {}) as Json;
    const instances = Array.isArray(check.instances) ? (check.instances as Json[]) : [];
    const problems = instances.flatMap((i) => (Array.isArray(i.problems) ? (i.problems as Json[]) : []).map((p) => ({ where: ((i.address ?? {}) as Json).to_display, message: p.message })));
    const name = typeof address.to_display === 'string' ? address.to_display : 'a check';
    if (problems.length === 0) out.push({ severity: check.status === 'error' ? 'error' : 'warning', summary: `${name}: ${check.status === 'error' ? 'could not be evaluated' : 'failed'}` });
    for (const p of problems) {
      out.push({ severity: 'warning', summary: typeof p.message === 'string' ? p.message : `${name} failed`, where: typeof p.where === 'string' ? p.where : name });
    }
  }
  return out;
}

/** Diagnostics in Terraform's JSON shape (`terraform plan -json`, `terraform validate -json`). */
export function diagnosticOf(d: unknown, where: string): Diagnostic {
  const o = (typeof d === 'object' && d !== null ? d : {}) as Json;
  if (o.severity !== 'error' && o.severity !== 'warning') throw new PlanFormatError(`${where}: "severity" must be "error" or "warning", got ${JSON.stringify(o.severity)}`);
  if (typeof o.summary !== 'string') throw new PlanFormatError(`${where}: "summary" must be a string`);
  const range = (o.range ?? {}) as Json;
  const start = (range.start ?? {}) as Json;
  const place = typeof range.filename === 'string' ? `${range.filename}${typeof start.line === 'number' ? `:${start.line}` : ''}` : undefined;
  return {
    severity: o.severity,
    summary: o.summary,
    detail: typeof o.detail === 'string' && o.detail !== '' ? o.detail : undefined,
    where: typeof o.address === 'string' ? o.address : place,
  };
}

/**
 * Diagnostics from the machine-readable log of `terraform plan -json` (one JSON message
 * a line; diagnostics have `"type": "diagnostic"`), see
 * https://developer.hashicorp.com/terraform/internals/machine-readable-ui.
 */
export function diagnosticsFromLog(text: string, source: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let message: Json;
    try {
      message = JSON.parse(line) as Json;
    } catch {
      throw new PlanFormatError(`${source}:${i + 1}: not JSON; expected the log of "terraform plan -json" (one JSON message a line)`);
    }
    if (message.type === 'diagnostic') out.push(diagnosticOf(message.diagnostic, `${source}:${i + 1}`));
  });
  return out;
}

/** The plan's contents for the report; throws PlanErroredError for a plan Terraform could not finish. */
export function readPlan(p: Json, stateful: Readonly<Record<string, string>>, extraDiagnostics: readonly Diagnostic[] = []): Plan {
  const diagnostics = [
    ...extraDiagnostics,
    ...((p.diagnostics ?? []) as unknown[]).map((d, i) => diagnosticOf(d, `diagnostics[${i}]`)),
    ...checkProblems((p.checks ?? []) as Json[]),
  ];
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (p.errored === true || errors.length > 0) {
    throw new PlanErroredError(
      p.errored === true
        ? 'Terraform reported errors while planning ("errored": true): this plan is incomplete and must not be applied. The errors are in the plan step\'s log.'
        : `Terraform reported ${errors.length} error${errors.length === 1 ? '' : 's'}: this plan must not be applied.`,
      diagnostics,
    );
  }
  const all = (field: string) => ((p[field] ?? []) as Json[]);
  const changes = all('resource_changes').flatMap((rc, i) => {
    const c = resourceChange(rc, `resource_changes[${i}]`, stateful);
    return worthShowing(rc, c) ? [c] : [];
  });
  const drift = all('resource_drift').flatMap((rc, i) => {
    const c = resourceChange(rc, `resource_drift[${i}]`, stateful);
    return worthShowing(rc, c) ? [c] : [];
  });
  const deferred = all('deferred_changes').map((d, i) => {
    const rc = d.resource_change;
    if (typeof rc !== 'object' || rc === null) throw new PlanFormatError(`deferred_changes[${i}]: expected a "resource_change" object`);
    const reason = typeof d.reason === 'string' ? DEFERRED_REASONS[d.reason] ?? d.reason : DEFERRED_REASONS.unknown;
    return { change: resourceChange(rc as Json, `deferred_changes[${i}]`, stateful), reason };
  });
  const outputs = Object.entries((p.output_changes ?? {}) as Record<string, Json>).flatMap(([name, oc]) => {
    const action = actionOf(oc?.actions, `output ${name}`);
    if (action === 'no-op') return [];
    // Terraform 0.12 plans list every output as "create" on every run: one whose value is
    // already in the prior state does not change.
    const prior = ((((p.prior_state ?? {}) as Json).values ?? {}) as Json).outputs as Record<string, Json> | undefined;
    if (action === 'create' && prior?.[name] && !anyMarked(oc.after_unknown) && JSON.stringify(prior[name].value) === JSON.stringify(oc.after)) return [];
    return [{ name, action, attribute: wholeOutput(oc, action, outputSensitive(p, name, oc)) }];
  });
  const actions = all('action_invocations').map((a, i): ActionInvocation => {
    if (typeof a.address !== 'string') throw new PlanFormatError(`action_invocations[${i}]: expected an "address"`);
    const lifecycle = (a.lifecycle_action_trigger ?? {}) as Json;
    const event = typeof lifecycle.action_trigger_event === 'string' ? lifecycle.action_trigger_event.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : undefined;
    const resource = typeof lifecycle.triggering_resource_address === 'string' ? lifecycle.triggering_resource_address : undefined;
    return { address: a.address, trigger: resource ? `${event ?? 'on a change'} of ${resource}` : undefined };
  });
  return {
    terraformVersion: typeof p.terraform_version === 'string' ? p.terraform_version : undefined,
    changes,
    drift,
    outputs: outputs.sort((a, b) => (a.name < b.name ? -1 : 1)),
    deferred,
    actions,
    // Plans before Terraform 1.8 have no "complete": they were always complete.
    // False also for a -target plan (plans.Plan.Complete).
    complete: p.complete !== false && deferred.length === 0,
    diagnostics,
  };
}

/**
 * Whether an output is sensitive. Plans of format 0.x have no sensitivity in
 * `output_changes`; then the planned values, prior state or configuration say it, and an
 * output none of them describes is treated as sensitive.
 */
function outputSensitive(p: Json, name: string, oc: Json): boolean {
  if (oc.before_sensitive !== undefined || oc.after_sensitive !== undefined) return anyMarked(oc.before_sensitive) || anyMarked(oc.after_sensitive);
  const at = (...path: string[]) => path.reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Json)[k] : undefined), p);
  const flags = [at('planned_values', 'outputs', name, 'sensitive'), at('prior_state', 'values', 'outputs', name, 'sensitive'), at('configuration', 'root_module', 'outputs', name, 'sensitive')];
  return flags.includes(true) || !flags.includes(false);
}

/**
 * An output is shown as one value, masked when the output is sensitive: output
 * sensitivity is one boolean for the whole value (jsonplan MarshalOutputChanges).
 */
function wholeOutput(oc: Json, action: Action, sensitive: boolean): AttributeChange {
  const shown = (value: unknown, unknown: boolean) =>
    sensitive ? ({ kind: 'sensitive' } as const) : unknown ? ({ kind: 'unknown' } as const) : ({ kind: 'value', text: JSON.stringify(value ?? null), value } as const);
  return {
    path: '',
    before: action === 'create' ? undefined : shown(oc.before, false),
    after: action === 'delete' ? undefined : shown(oc.after, anyMarked(oc.after_unknown)),
    forcesReplacement: false,
  };
}
