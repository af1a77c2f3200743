import { accountSources } from '../../accounts';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { show } from '../../accounts/schema-kit';
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
      // Every account, and the management account.
      expect(readdirSync(join(root, 'cdktf.out', 'stacks')).length).toBe(accountSources.length + 1);
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

describe('secret scan: secrets anywhere in the output', () => {
  const kinds = (json: unknown) => scanJson(json, 'f').map((f) => `${f.path}: ${f.kind}`);
  const setting = (name: string, value: string, namespace = 'aws:elasticbeanstalk:application:environment') => ({
    resource: { aws_elastic_beanstalk_environment: { e: { setting: [{ namespace, name, value }] } } },
  });

  it('finds a literal in a secret-named Beanstalk environment property, not an ARN or a reference', () => {
    expect(kinds(setting('SMTP_PASSWORD', 'hunter2hunter2'))).toEqual(['resource.aws_elastic_beanstalk_environment.e.setting.0.value: literal value in secret-named variable "SMTP_PASSWORD"']);
    expect(kinds(setting('ConnectionStrings__Core', 'arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:x', 'aws:elasticbeanstalk:application:environmentsecrets'))).toEqual([]);
    expect(kinds(setting('QUEUE_TOKEN_ARN', '${aws_secretsmanager_secret.s.arn}'))).toEqual([]);
  });

  it('finds a literal in a secret-named Lambda variable, and leaves a public key alone', () => {
    const lambda = (variables: Record<string, string>) => ({ resource: { aws_lambda_function: { f: { environment: { variables } } } } });
    expect(kinds(lambda({ SENDGRID_API_KEY: 'not-a-real-key-but-a-literal' }))).toEqual(['resource.aws_lambda_function.f.environment.variables.SENDGRID_API_KEY: literal value in secret-named variable "SENDGRID_API_KEY"']);
    expect(kinds(lambda({ SENDGRID_WEBHOOK_PUBLIC_KEY: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE', SENDGRID_SECRET_ARN: '${aws_secretsmanager_secret.k.arn}' }))).toEqual([]);
  });

  it('finds credentials inside URLs, in user_data and anywhere else, but not a reference in the password', () => {
    expect(kinds({ resource: { aws_instance: { n: { user_data: '#!/bin/sh\nexport DB=postgres://app:Secr3t@db.internal:5432/x\n' } } } })).toEqual(['resource.aws_instance.n.user_data: password in a URL']);
    expect(kinds({ resource: { x: { y: { endpoint: 'mysql://app:${var.db_password}@db.internal/x' } } } })).toEqual([]);
    expect(kinds({ resource: { x: { y: { endpoint: 'https://example.jp/path' } } } })).toEqual([]);
  });

  it('finds an AWS secret access key next to its name', () => {
    expect(kinds({ resource: { aws_instance: { n: { user_data: `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/bPxRfiCY'}EXAMPLEKEY` } } } })).toEqual(['resource.aws_instance.n.user_data: AWS secret access key']);
  });

  it('finds short and placeholder-looking SendGrid keys too', () => {
    expect(kinds({ resource: { x: { y: { description: 'SG.xxxx' } } } })).toEqual(['resource.x.y.description: SendGrid API key']);
    expect(kinds({ resource: { x: { y: { description: 'SG.test-key.placeholder' } } } })).toEqual(['resource.x.y.description: SendGrid API key']);
  });

  it('names the account config field a value came from, without the value', () => {
    const config = { name: 'production', apps: [{ environments: [{ environmentVariables: { LEGACY_ID: 'AKIAABCDEFGHIJKLMNOP' } }] }] };
    const findings = scanJson(setting('LEGACY_ID', 'AKIAABCDEFGHIJKLMNOP'), 'stacks/production/cdk.tf.json', config);
    expect(findings.map((f) => f.field)).toEqual(['production: apps[0].environments[0].environmentVariables.LEGACY_ID']);
    const message = new SecretFoundError(findings).message;
    expect(message).toContain('account production: apps[0].environments[0].environmentVariables.LEGACY_ID: AWS access key id');
    expect(message).not.toContain('AKIAABCDEFGHIJKLMNOP');
  });

  it('never echoes a value under a secret field in config errors', () => {
    expect(show('postgres://app:pw@db/x', 'apps[0].environments[0].secrets.DATABASE_URL')).toBe('<redacted>');
    expect(show('m6i.large', 'apps[0].environments[0].instanceTypes[0]')).toBe('"m6i.large"');
  });
});
