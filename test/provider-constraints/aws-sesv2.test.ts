/** SES v2 resources of every account stack against internal/service/sesv2 (configuration_set.go, configuration_set_event_destination.go, email_identity.go). */
import { accountResources } from '../helpers';

describe('aws_sesv2_configuration_set (configuration_set.go)', () => {
  it.each(accountResources('aws_sesv2_configuration_set'))('%s: tls_policy and suppressed reasons of their enums', (_id, c) => {
    expect(['REQUIRE', 'OPTIONAL']).toContain(c.delivery_options.tls_policy);
    for (const r of c.suppression_options.suppressed_reasons) expect(['BOUNCE', 'COMPLAINT']).toContain(r);
  });
});

describe('aws_sesv2_configuration_set_event_destination (configuration_set_event_destination.go)', () => {
  it.each(accountResources('aws_sesv2_configuration_set_event_destination'))('%s: event types of the EventType enum, exactly one destination', (_id, d) => {
    for (const t of d.event_destination.matching_event_types) {
      expect(['SEND', 'REJECT', 'BOUNCE', 'COMPLAINT', 'DELIVERY', 'OPEN', 'CLICK', 'RENDERING_FAILURE', 'DELIVERY_DELAY', 'SUBSCRIPTION']).toContain(t);
    }
    const destinations = ['cloud_watch_destination', 'event_bridge_destination', 'kinesis_firehose_destination', 'pinpoint_destination', 'sns_destination'].filter((k) => d.event_destination[k] !== undefined);
    expect(destinations).toHaveLength(1);
  });
});

describe('aws_sesv2_email_identity (email_identity.go)', () => {
  it.each(accountResources('aws_sesv2_email_identity'))('%s: DKIM key length of the enum', (_id, e) => {
    expect(['RSA_1024_BIT', 'RSA_2048_BIT']).toContain(e.dkim_signing_attributes.next_signing_key_length);
  });
});
