/**
 * The availability zones each region the repository uses offers to its accounts: a small
 * catalogue, checked by the loader, rather than a guess that only fails at apply time
 * ("InvalidParameterValue: Value (ap-northeast-1b) for parameter availabilityZone is
 * invalid").
 *
 * As of 2026-12-01. Sources: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
 * (ap-northeast-1 has three AZ IDs: apne1-az1, apne1-az2, apne1-az4) and the zone names
 * `aws ec2 describe-availability-zones` returns in our accounts. Tokyo's `ap-northeast-1b`
 * exists only in accounts created before 2014, none of ours.
 *
 * To refresh, or to add a region before putting an account there, run in every account:
 *   aws ec2 describe-availability-zones --region <region> \
 *     --filters Name=zone-type,Values=availability-zone --query 'AvailabilityZones[].ZoneName'
 * and keep only the names every account returns.
 */
export const AVAILABILITY_ZONES: Readonly<Record<string, readonly string[]>> = {
  'ap-northeast-1': ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'],
};
