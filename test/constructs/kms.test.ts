import { accountKmsKey, servicesPublish } from '../../constructs/core/kms';
import { onlyResource, synthConstructs } from '../helpers';

describe('accountKmsKey', () => {
  it('rotates yearly, keeps the 30-day deletion window, lets the account administer it and appends the given uses', () => {
    const json = synthConstructs((s) => accountKmsKey(s, 'k', 'Encrypts a topic', '111111111111', servicesPublish('SesPublishes', 'ses.amazonaws.com', '111111111111')));
    const key = onlyResource(json, 'aws_kms_key');
    expect(key).toMatchObject({ description: 'Encrypts a topic', enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(JSON.parse(key.policy as string).Statement).toEqual([
      { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' },
      // The confused-deputy guard: the service may use the key for this account only.
      { Sid: 'SesPublishes', Effect: 'Allow', Principal: { Service: 'ses.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } },
    ]);
  });
});
