/**
 * The JSON of a plan with `count` resource changes: creates with attributes, updates with
 * long values, replaces of stateful types with forcing paths, moves and imports.
 */
export function benchPlanJson(count = 20000): string {
  const actions = [['create'], ['update'], ['delete', 'create'], ['update'], ['no-op']];
  const doc = {
    format_version: '1.2',
    planned_values: {},
    resource_changes: Array.from({ length: count }, (_, i) => {
      const type = i % 7 === 0 ? 'aws_db_instance' : `aws_type_${i % 40}`;
      const act = actions[i % actions.length];
      return {
        address: `${type}.r${i}`,
        previous_address: act[0] === 'no-op' ? `${type}.old${i}` : undefined,
        mode: 'managed',
        type,
        name: `r${i}`,
        change: {
          actions: act,
          before: act[0] === 'create' ? null : { value: `${'x'.repeat(200)}${i}`, n: i, block: [{ size: i }], tags: { Name: `r${i}` } },
          after: { value: `${'x'.repeat(200)}${i + 1}`, n: i + 1, block: [{ size: i + 1 }], tags: { Name: `r${i}` } },
          after_unknown: { id: true },
          before_sensitive: {},
          after_sensitive: {},
          replace_paths: act.length === 2 ? [['block', 0, 'size']] : undefined,
        },
      };
    }),
  };
  return JSON.stringify(doc);
}
