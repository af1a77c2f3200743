/**
 * The single source of truth for the Elastic Beanstalk platform versions and the AMI ids the
 * accounts run. The repository owns these versions: managed platform updates are off (see
 * constructs/beanstalk), RDS and Aurora take no automatic minor upgrades, and a newer
 * platform or image is a pull request changing one line here (the monthly bump).
 *
 * Why a pin must stay current: Elastic Beanstalk lets an account create environments on an
 * older platform version only while the account has used that version recently, so a pin
 * left behind works in old accounts and fails in a new one. Bump it monthly.
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.platform.upgrade.html
 *
 * Format (a tool edits this file, test/accounts/catalogue.test.ts keeps it so): inside each
 * object, one entry per line, `  <key>: '<value>',`, optionally preceded by `/** ... *\/`
 * comment lines. Account files refer to entries by key; the account schema refuses a
 * platform or an AMI that is not listed here.
 */

/** Elastic Beanstalk solution stack names, each a full platform version. */
export const platforms = {
  /** Windows / IIS / .NET apps (the former monolith). */
  windowsIis: '64bit Windows Server 2022 v2.18.0 running IIS 10.0',
  /** Python apps on Linux. */
  python: '64bit Amazon Linux 2023 v4.6.0 running Python 3.12',
} as const;

/**
 * The Elastic Beanstalk platform's own AMI (hvm) for the version in `platforms`, in the
 * region of the account that builds images, keyed like `platforms`: a custom AMI for
 * Beanstalk must start from it, or it lacks the platform's host manager and scripts. It is
 * `DescribePlatformVersion` -> `PlatformDescription.CustomAmiList[]` (VirtualizationType
 * hvm); the monthly bump moves it with its platform.
 * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.customenv.html
 */
export const platformBaseAmis = {
  /** Base of the Windows / IIS image (images.windowsMonthly), ap-northeast-1. */
  windowsIis: 'ami-03c4e2b1a5d6f7089',
} as const;

/** AMI ids built by the image pipeline. */
export const images = {
  /** Monthly patched Windows Server 2022 image for the Beanstalk Windows apps. */
  windowsMonthly: 'ami-0a1b2c3d4e5f60718',
  /** Windows Server 2022 + SQL Server 2022 Enterprise image for Always On nodes. */
  sqlServerNode: 'ami-0f9e8d7c6b5a49382',
} as const;
