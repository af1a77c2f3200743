import { IntegrationFastlyAccount } from '@cdktf/provider-datadog/lib/integration-fastly-account';
import { IntegrationFastlyService } from '@cdktf/provider-datadog/lib/integration-fastly-service';
import { Construct } from 'constructs';
import { Rule, checkProps } from '../core/validation';
import { FASTLY_SERVICE_TAG_KEY } from './catalogue';

/** A Fastly service Datadog should collect `fastly.*` metrics for. */
export interface FastlyServiceRef {
  /** The service's name: the value of its `service:` tag, which the monitors select on. */
  readonly name: string;
  /** The service id, usually the `fastly_service_vcl`'s `id` (known only after apply). */
  readonly id: string;
}

export interface DatadogFastlyIntegrationProps {
  /** Name of the Fastly account in Datadog's integration tile (changing it replaces the account). */
  readonly accountName: string;
  /**
   * Fastly API token Datadog reads the stats with (a read-only token is enough). Pass a
   * sensitive Terraform variable's value: the provider does not mark `api_key` sensitive,
   * so the variable is what keeps it out of plan output.
   */
  readonly apiKey: string;
  /** The services to collect. */
  readonly services: readonly FastlyServiceRef[];
  /** More tags for every service's metrics (lower-case `key:value`). @default [] */
  readonly tags?: readonly string[];
}

/**
 * A tag Datadog's normalization leaves unchanged, which the provider's `tags` validator
 * requires (validators.TagsSetIsNormalized, utils.NormalizeTag): starts with a-z or `:`,
 * then a-z, 0-9, `:`, `.`, `/`, `-`, and single underscores between them; at most 200 characters.
 */
const NORMALIZED_TAG = /^(?=.{1,200}$)[a-z:](?:[a-z0-9:./-]|_(?=[a-z0-9:./-]))*$/;

/**
 * Registers Fastly services with Datadog's Fastly integration: Datadog collects `fastly.*`
 * only for the services its Fastly integration lists (`datadog_integration_fastly_account`
 * holding the API token, one `datadog_integration_fastly_service` per service id).
 *
 * @see https://docs.datadoghq.com/integrations/fastly/
 */
export class DatadogFastlyIntegration extends Construct {
  public readonly account: IntegrationFastlyAccount;
  public readonly services: readonly IntegrationFastlyService[];

  constructor(scope: Construct, id: string, props: DatadogFastlyIntegrationProps) {
    super(scope, id);
    const names = props.services.map((s) => s.name);
    const tagsFor = (name: string) => [`${FASTLY_SERVICE_TAG_KEY}:${name}`, ...(props.tags ?? [])];
    checkProps(this, 'DatadogFastlyIntegration', [
      [props.services.length === 0, 'services', props.services, 'at least one Fastly service'],
      [new Set(names).size !== names.length, 'services[].name', names.filter((n, i) => names.indexOf(n) !== i), 'unique service names'],
      ...props.services.flatMap((s, i) =>
        tagsFor(s.name)
          .filter((t) => !NORMALIZED_TAG.test(t))
          .map((t): Rule => [true, `services[${i}] tag`, t, 'a normalized Datadog tag: lower-case a-z, 0-9, `:`, `.`, `/`, `-` and single `_`, starting with a letter or `:`']),
      ),
    ]);

    this.account = new IntegrationFastlyAccount(this, 'account', { name: props.accountName, apiKey: props.apiKey });
    this.services = props.services.map(
      (s) =>
        new IntegrationFastlyService(this, s.name, {
          accountId: this.account.id,
          serviceId: s.id,
          // The monitors and SLOs select `service:<name>`: set it here so it does not depend on
          // how the integration names the service by itself.
          tags: tagsFor(s.name),
        }),
    );
  }
}
