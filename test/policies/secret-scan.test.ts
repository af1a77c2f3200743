import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretFoundError, scanDirectory, scanJson } from '../../policies/secret-scan';
import { synthesizeAccounts } from '../../stacks/synthesize';

describe('secret scan', () => {
  it('finds well-known key formats anywhere, without keeping the value', () => {
    const json = {
      resource: {
        x: {
          a: { user_data: 'export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP' },
          b: { content: '-----BEGIN RSA PRIVATE KEY-----\nMIIE...' },
          c: { description: `SG.${'a'.repeat(22)}.${'b'.repeat(43)}` },
          d: { url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX' },
        },
      },
    };
    const findings = scanJson(json, 'cdk.tf.json');
    expect(findings.map((f) => [f.path, f.kind])).toEqual([
      ['resource.x.a.user_data', 'AWS access key id'],
      ['resource.x.b.content', 'private key'],
      ['resource.x.c.description', 'SendGrid API key'],
      ['resource.x.d.url', 'Slack webhook URL'],
    ]);
    expect(JSON.stringify(findings)).not.toContain('AKIAABCDEFGHIJKLMNOP');
  });

  it('finds a literal in a secret attribute, and a default on a secret variable', () => {
    const findings = scanJson(
      { resource: { aws_db_instance: { d: { password: 'hunter2hunter2' } } }, variable: { datadog_api_token: { default: 'abc' } } },
      'f',
    );
    expect(findings.map((f) => f.kind)).toEqual(['literal value in "password"', 'default value of a secret variable']);
  });

  it('accepts references to variables and resources in secret attributes', () => {
    expect(scanJson({ resource: { x: { y: { token: '${var.fastly_datadog_logs_token}', password: '${aws_secretsmanager_secret_version.s.secret_string}' } } } }, 'f')).toEqual([]);
  });

  it('finds no secret in the synthesized accounts', () => {
    const root = mkdtempSync(join(tmpdir(), 'scan-'));
    try {
      synthesizeAccounts({ outdir: join(root, 'cdktf.out') });
      expect(readdirSync(join(root, 'cdktf.out', 'stacks')).length).toBe(3);
      expect(scanDirectory(join(root, 'cdktf.out'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('names file, path and kind in its error, never the value', () => {
    const error = new SecretFoundError([{ file: 'stacks/production/cdk.tf.json', path: 'resource.a.b.password', kind: 'literal value in "password"' }]);
    expect(error.message).toContain('stacks/production/cdk.tf.json: resource.a.b.password: literal value in "password"');
  });
});
