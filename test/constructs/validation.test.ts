import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { checkProps, isSecretPath } from '../../constructs/core/validation';
import { errorOf } from '../helpers';

describe('construct refusals never echo a secret', () => {
  it('redacts the value of any prop under a secret-looking segment, and shows the others', () => {
    const scope = new Construct(Testing.app(), 'web');
    const message = errorOf(() =>
      checkProps(scope, 'BeanstalkApp', [
        [true, 'environments[0].secrets.DATABASE_URL', 'postgres://admin:hunter2hunter2@db/x', 'a Secrets Manager secret or SSM parameter ARN'],
        [true, 'environments[0].minInstances', 0, 'at least 1'],
      ]),
    );
    expect(message).toContain('environments[0].secrets.DATABASE_URL: got <redacted>, expected a Secrets Manager secret or SSM parameter ARN');
    expect(message).toContain('environments[0].minInstances: got 0, expected at least 1');
    expect(message).not.toContain('hunter2');
  });

  it.each([
    ['secrets.ANYTHING', true],
    ['masterPassword', true],
    ['sendgrid.apiKey', true],
    ['environments[1].secrets', true],
    ['instanceTypes[0]', false],
    ['sendgrid.eventWebhookPublicKey', false],
  ])('%s is secret: %p', (path, secret) => {
    expect(isSecretPath(path)).toBe(secret);
  });
});
