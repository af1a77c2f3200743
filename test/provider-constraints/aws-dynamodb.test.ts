/** DynamoDB tables of every account stack against internal/service/dynamodb/table.go. */
import { accountResources } from '../helpers';

describe('aws_dynamodb_table (internal/service/dynamodb/table.go)', () => {
  it.each(accountResources('aws_dynamodb_table'))('%s: name, billing mode, attribute types and projections of the enums; every attribute is a key', (_id, t) => {
    expect(t.name).toMatch(/^[a-zA-Z0-9_.-]{3,255}$/);
    expect(['PAY_PER_REQUEST', 'PROVISIONED']).toContain(t.billing_mode);
    for (const a of t.attribute) expect(['S', 'N', 'B']).toContain(a.type);
    const indexes = t.global_secondary_index ?? [];
    for (const i of indexes) expect(['ALL', 'INCLUDE', 'KEYS_ONLY']).toContain(i.projection_type);
    // CustomizeDiff: "all attributes must be indexed" and every key must be a declared attribute.
    const keys = new Set([t.hash_key, t.range_key, ...indexes.flatMap((i: { hash_key: string; range_key?: string }) => [i.hash_key, i.range_key])].filter(Boolean));
    expect(new Set(t.attribute.map((a: { name: string }) => a.name))).toEqual(keys);
    if (t.ttl?.enabled) expect(t.ttl.attribute_name).toBeTruthy();
  });
});
