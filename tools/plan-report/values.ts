/**
 * Attribute-level view of one change: the leaves of before/after with readable paths
 * (`ebs_block_device[0].volume_size`, `tags["Name"]`), whether each is sensitive or
 * unknown, and whether it forces the replacement.
 *
 * Sensitivity follows Terraform's JSON format: `before_sensitive` / `after_sensitive`
 * mirror the value with `true` on sensitive leaves, and may be `true` as a whole (the
 * whole object is sensitive). A marker on a block covers everything under it.
 */

export type Path = ReadonlyArray<string | number>;

export interface AttributeChange {
  readonly path: string;
  /** Undefined when the attribute does not exist on that side (create, delete). */
  readonly before?: Shown;
  readonly after?: Shown;
  readonly forcesReplacement: boolean;
}

/** A value as the report may show it. */
export type Shown = { readonly kind: 'value'; readonly text: string; readonly value: unknown } | { readonly kind: 'sensitive' } | { readonly kind: 'unknown' };

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `a.b[0]["odd key"]`: the way Terraform writes a path in its own plan output. */
export function formatPath(path: Path): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (IDENTIFIER.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

/** The marker (sensitive or unknown) at `step` under `marker`: `true` covers all below it. */
function below(marker: Json, step: string | number): Json {
  if (marker === true) return true;
  if (Array.isArray(marker) && typeof step === 'number') return marker[step];
  if (isObject(marker)) return marker[String(step)];
  return undefined;
}

/** True when anything at or under the marker is set. */
export function anyMarked(marker: Json): boolean {
  if (marker === true) return true;
  if (Array.isArray(marker)) return marker.some(anyMarked);
  if (isObject(marker)) return Object.values(marker).some(anyMarked);
  return false;
}

/** A scalar or a list of scalars is shown whole; objects and lists of objects are walked. */
const isLeaf = (v: Json) => !isObject(v) && !(Array.isArray(v) && v.some((e) => isObject(e) || Array.isArray(e)));

/** Empty values are left out of created/deleted resources: they are the provider's defaults. */
const isEmpty = (v: Json) => v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

function show(value: Json, sensitive: Json, unknown: Json): Shown | undefined {
  if (anyMarked(sensitive)) return { kind: 'sensitive' };
  if (anyMarked(unknown)) return { kind: 'unknown' };
  if (value === undefined) return undefined;
  return { kind: 'value', text: JSON.stringify(value), value };
}

export interface ChangeValues {
  readonly before?: Json;
  readonly after?: Json;
  readonly after_unknown?: Json;
  readonly before_sensitive?: Json;
  readonly after_sensitive?: Json;
}

/**
 * The attributes to show for a change: for an update or replace, those that differ; for
 * a create or delete, those that are set (`side` says which). `tags_all` is left out: it
 * repeats `tags` plus the provider's default tags.
 */
export function attributeChanges(change: ChangeValues, replacePaths: readonly Path[], side: 'both' | 'after' | 'before'): AttributeChange[] {
  const out: AttributeChange[] = [];
  const forced = replacePaths.map((p) => formatPath(p));
  const forces = (path: string) => forced.some((f) => f === path || f.startsWith(`${path}.`) || f.startsWith(`${path}[`) || path.startsWith(`${f}.`) || path.startsWith(`${f}[`));
  const walk = (path: Path, b: Json, a: Json, bs: Json, as: Json, au: Json) => {
    // A whole sensitive or unknown value is one leaf: nothing under it may be looked at.
    const wholeSensitive = bs === true || as === true;
    const leaf = wholeSensitive || au === true || (isLeaf(b) && isLeaf(a)) || (side !== 'both' && (side === 'after' ? isLeaf(a) : isLeaf(b)));
    if (!leaf) {
      const keys = new Set<string | number>();
      for (const v of [b, a, au]) {
        if (Array.isArray(v)) v.forEach((_, i) => keys.add(i));
        else if (isObject(v)) Object.keys(v).forEach((k) => keys.add(k));
      }
      for (const key of keys) {
        if (path.length === 0 && key === 'tags_all') continue;
        walk([...path, key], below(b, key), below(a, key), below(bs, key), below(as, key), below(au, key));
      }
      return;
    }
    const name = formatPath(path);
    if (side === 'both') {
      if (JSON.stringify(b) === JSON.stringify(a) && !anyMarked(au) && anyMarked(bs) === anyMarked(as)) return;
      // A value sensitive on either side is masked on both: a value becoming sensitive
      // must not show its old form, nor one ceasing to be sensitive its old secret.
      const masked = anyMarked(bs) || anyMarked(as);
      out.push({ path: name, before: show(b ?? null, masked, undefined), after: show(a ?? null, masked, au), forcesReplacement: forces(name) });
    } else if (side === 'after') {
      if (isEmpty(a) && !anyMarked(au)) return;
      out.push({ path: name, after: show(a, as, au), forcesReplacement: false });
    } else {
      if (isEmpty(b)) return;
      out.push({ path: name, before: show(b, bs, undefined), forcesReplacement: false });
    }
  };
  const root = side === 'after' ? { b: undefined, a: change.after } : side === 'before' ? { b: change.before, a: undefined } : { b: change.before, a: change.after };
  // An object that is sensitive as a whole shows as one masked line.
  // Plans of format 0.1 (Terraform 0.12-0.14) carry no sensitivity markers at all, so a
  // side with a value and no marker may hold anything: it is masked as a whole.
  const beforeSensitive = change.before_sensitive ?? (change.before === undefined || change.before === null ? undefined : true);
  const afterSensitive = change.after_sensitive ?? (change.after === undefined || change.after === null ? undefined : true);
  if (beforeSensitive === true || afterSensitive === true) {
    const before = side === 'after' ? undefined : ({ kind: 'sensitive' } as const);
    const after = side === 'before' ? undefined : ({ kind: 'sensitive' } as const);
    return [{ path: '(all attributes)', before, after, forcesReplacement: forced.length > 0 }];
  }
  walk([], root.b ?? (side === 'both' ? {} : undefined), root.a ?? (side === 'both' ? {} : undefined), beforeSensitive, afterSensitive, change.after_unknown);
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
