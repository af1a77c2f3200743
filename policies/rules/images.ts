import { looksLikeSecret } from '../secret-scan';
import { PolicyRule, attr, filled, verdict } from '../rule';

/** EC2 Image Builder: what the image pipelines build and share. */

// A Datadog key handed to the agent installer or written to its config (msiexec APIKEY=,
// datadog.yaml api_key:, DD_API_KEY=), whatever the value looks like.
const AGENT_KEY = /\b(APIKEY|DD_API_KEY|api_key)\b["']?\s*[=:]/i;

export const imageRules: PolicyRule[] = [
  {
    id: 'IMAGEBUILDER-IMDSV2',
    pack: 'baseline',
    info: 'Image Builder build and test instances require IMDSv2 session tokens.',
    explanation: 'Build instances run downloaded installers with an instance role; IMDSv1 lets a request forgery read its credentials.',
    fix: 'Set instance_metadata_options { http_tokens = "required" } (the ImagePipeline construct does).',
    resourceTypes: ['aws_imagebuilder_infrastructure_configuration'],
    check: (r) => verdict(attr(r, 'instance_metadata_options.http_tokens') === 'required'),
  },
  {
    id: 'AMI-DISTRIBUTION-ENCRYPTED',
    pack: 'baseline',
    info: 'Image Builder distributes AMIs encrypted with a customer managed KMS key.',
    explanation: 'Shared AMIs must be encrypted with a key the consuming accounts may use (the default EBS key cannot be shared); an unencrypted AMI exposes its snapshots to every account it is shared with.',
    fix: 'Set kms_key_id in every ami_distribution_configuration (the ImagePipeline construct uses its AMI key).',
    resourceTypes: ['aws_imagebuilder_distribution_configuration'],
    check: (r) => {
      const amis = ((r.attributes.distribution ?? []) as Array<{ ami_distribution_configuration?: unknown }>).map((d) => (Array.isArray(d.ami_distribution_configuration) ? d.ami_distribution_configuration[0] : d.ami_distribution_configuration) as { kms_key_id?: unknown } | undefined);
      const withAmi = amis.filter((a) => a !== undefined);
      return withAmi.length === 0 ? 'not-applicable' : verdict(withAmi.every((a) => filled(a!.kms_key_id)));
    },
  },
  {
    id: 'IMAGEBUILDER-COMPONENT-NO-KEY',
    pack: 'baseline',
    info: 'Image Builder components carry no API key or credential (the Datadog agent is installed keyless).',
    explanation: 'A component document is readable by whoever may read the component, and what it writes ends up in an AMI shared with other accounts; keys are set on the instance at boot.',
    fix: 'Install without the key; have the instance read it from Secrets Manager or SSM at boot.',
    resourceTypes: ['aws_imagebuilder_component'],
    check: (r) => {
      const data = attr(r, 'data');
      return typeof data !== 'string' ? 'not-applicable' : verdict(!AGENT_KEY.test(data) && !looksLikeSecret(data));
    },
  },
];
