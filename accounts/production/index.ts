import { images, platforms } from '../catalogue';
import { AccountOverrides } from '../schema';

const certificate = 'arn:aws:acm:ap-northeast-1:111111111111:certificate/6f0c2a1e-4b7d-4e8a-9c3f-1d2e3f4a5b6c';
const secret = (name: string) => `arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:${name}`;

/** The live customer site and its canary run the same way; only their size differs. */
const hotelCustomer = {
  certificateArn: certificate,
  instanceTypes: ['m6i.large', 'm5.large'],
  environmentVariables: { ASPNETCORE_ENVIRONMENT: 'Production' },
  secrets: { ConnectionStrings__Core: secret('hotel/core-db-AbCdEf') },
};

/** Production: the hotel and restaurant booking sites customers use. */
export const production: AccountOverrides = {
  name: 'production',
  accountId: '111111111111',
  environment: 'production',
  state: { bucket: 'example-co-tfstate-111111111111' },
  tags: { costCenter: 'CC-2100' },
  network: { cidrBlock: '10.10.0.0/16' },
  apps: [
    {
      name: 'hotel-customer',
      caches: ['hotel-session'],
      description: 'Hotel booking site for customers (Windows / IIS / .NET)',
      solutionStackName: platforms.windowsIis,
      imageId: images.windowsMonthly,
      environments: [
        { ...hotelCustomer, name: 'hotel-customer-prod', minInstances: 3, maxInstances: 12 },
        // Partial releases: Fastly sends opted-in requests here (see cdn featureRoutes).
        { ...hotelCustomer, name: 'hotel-customer-canary', minInstances: 2, maxInstances: 4 },
      ],
    },
    {
      name: 'hotel-partner',
      caches: ['hotel-session'],
      description: 'Facility partner portal (Windows / IIS / .NET)',
      solutionStackName: platforms.windowsIis,
      imageId: images.windowsMonthly,
      environments: [
        {
          name: 'hotel-partner-prod',
          certificateArn: certificate,
          minInstances: 2,
          maxInstances: 6,
          secrets: { ConnectionStrings__Core: secret('hotel/core-db-AbCdEf') },
        },
      ],
    },
    {
      name: 'hotel-operator',
      caches: ['hotel-session'],
      description: 'Internal operator console (Windows / IIS / .NET), reachable from the office only',
      solutionStackName: platforms.windowsIis,
      imageId: images.windowsMonthly,
      environments: [
        {
          name: 'hotel-operator-prod',
          certificateArn: certificate,
          internal: true,
          allowedCidrs: ['10.0.0.0/8'],
          secrets: { ConnectionStrings__Core: secret('hotel/core-db-AbCdEf') },
        },
      ],
    },
    {
      name: 'restaurant',
      description: 'Restaurant booking site (Python)',
      solutionStackName: platforms.python,
      environments: [
        {
          name: 'restaurant-prod',
          certificateArn: certificate,
          instanceTypes: ['c7g.large'],
          minInstances: 2,
          maxInstances: 8,
          secrets: { DATABASE_URL: secret('restaurant/db-url-GhIjKl') },
        },
      ],
    },
  ],
  cdn: [
    {
      name: 'hotel',
      domains: ['www.example-hotel.jp', 'partner.example-hotel.jp'],
      vclFolder: 'hotel',
      backends: [
        { name: 'customer', app: 'hotel-customer', originHost: 'origin-www.example-hotel.jp', shield: 'tyo-tokyo-jp' },
        { name: 'customer_canary', app: 'hotel-customer', environment: 'hotel-customer-canary', originHost: 'origin-canary.example-hotel.jp', shield: 'tyo-tokyo-jp' },
        { name: 'partner', app: 'hotel-partner', originHost: 'origin-partner.example-hotel.jp', shield: 'tyo-tokyo-jp' },
        { name: 'images', s3Bucket: 'example-hotel-images-production', healthCheck: false, shield: 'tyo-tokyo-jp' },
      ],
      pathRoutes: [
        { pathPrefix: '/images/', backend: 'images' },
        { pathPrefix: '/partner/', backend: 'partner' },
      ],
      hostRoutes: [{ host: 'partner.example-hotel.jp', backend: 'partner' }],
      featureRoutes: [{ name: 'new-search', queryParam: 'beta_search', cookie: 'beta_search', backend: 'customer_canary' }],
      // The example-hotel.jp zone (as for mail): the certificate's DNS challenges are created there.
      tls: { hostedZoneId: 'Z04512341ABCDEFGHIJK' },
      logging: { s3: true, datadog: true },
    },
  ],
  // Customer mail through SendGrid; internal mail (operators, partners' reports) through SES.
  mail: [
    {
      name: 'customer',
      provider: 'sendgrid',
      senders: ['hotel-customer', 'hotel-partner', 'restaurant'],
      hostedZoneId: 'Z04512341ABCDEFGHIJK',
      sendgrid: {
        // The Event Webhook verification key (public) from SendGrid's settings.
        eventWebhookPublicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEXKW3K11rYL0Ud37XPjxEBlFCOs4jD4tW4U9wlwV5sVRlPYFlF4UdnXOJ6OrJHhA2hG26xwCB7d1gPSAPmBWJzw==',
        dnsRecords: [
          { name: 'em4821.example-hotel.jp', value: 'u4821093.wl094.sendgrid.net' },
          { name: 's1._domainkey.example-hotel.jp', value: 's1.domainkey.u4821093.wl094.sendgrid.net' },
          { name: 's2._domainkey.example-hotel.jp', value: 's2.domainkey.u4821093.wl094.sendgrid.net' },
        ],
      },
    },
    { name: 'internal', provider: 'ses', senders: ['hotel-operator'], hostedZoneId: 'Z04512341ABCDEFGHIJK', ses: { domain: 'ops.example-hotel.jp' } },
  ],
  monitoring: {
    slack: { immediate: 'infra-production-immediate', watch: 'infra-production-watch' },
    slos: [
      { name: 'hotel-availability', service: 'hotel', source: 'fastly', kind: 'availability', target: 99.9, timeframe: '30d' },
      { name: 'hotel-latency', service: 'hotel-customer-prod', source: 'load-balancer', kind: 'latency', target: 99, latencySeconds: 1.5, timeframe: '30d' },
      { name: 'restaurant-availability', service: 'restaurant-prod', source: 'load-balancer', kind: 'availability', target: 99.5, timeframe: '30d' },
    ],
  },
  // The monthly patched Windows / IIS image is built here and shared down to staging: an
  // account never launches an image a lower-tier account could have changed.
  imagePipelines: [{ name: 'windows-iis', image: 'windowsMonthly', platform: 'windowsIis', shareWith: ['222222222222'] }],
  // AWS Managed Microsoft AD for the SQL Server cluster's witness share; its Admin password
  // is the CI secret DIRECTORY_ADMIN_PASSWORD (Terraform variable directory_admin_password).
  directory: { domainName: 'corp.example-hotel.jp', shortName: 'HOTELCORP', edition: 'Standard' },
  // Sessions and cached reads of the hotel apps (Valkey): a primary and a replica in another zone.
  caches: [{ name: 'hotel-session' }],
  cost: {
    monthlyBudgetUsd: 65000,
    chatbot: { workspaceId: 'T01EXAMPLE', watchChannelId: 'C01PRODWATCH', immediateChannelId: 'C01PRODNOW' },
    estimatedChargesAlertUsd: 70000,
  },
  databases: {
    sqlServer: [
      {
        name: 'hotel-core',
        mode: 'ec2-always-on',
        clients: ['hotel-customer', 'hotel-partner', 'hotel-operator'],
        backupRetentionDays: 30,
        alwaysOn: {
          imageId: images.sqlServerNode,
          instanceType: 'r6i.2xlarge',
          nodes: [
            { availabilityZone: 'ap-northeast-1a', primaryIp: '10.10.64.10', clusterIp: '10.10.64.11', listenerIp: '10.10.64.12' },
            { availabilityZone: 'ap-northeast-1c', primaryIp: '10.10.80.10', clusterIp: '10.10.80.11', listenerIp: '10.10.80.12' },
          ],
          volumes: { data: { sizeGb: 2000, iops: 12000, throughput: 750 }, log: { sizeGb: 500, iops: 6000, throughput: 500 } },
          // Single-AZ FSx share in the zone with no node (ap-northeast-1d), joined to `directory`.
          witness: { fsx: {} },
        },
      },
    ],
    aurora: [
      {
        name: 'restaurant',
        engine: 'aurora-postgresql',
        engineVersion: '16.6',
        instanceClass: 'db.r7g.large',
        readers: 1,
        readerAutoScaling: { maxReaders: 4 },
        databaseName: 'restaurant',
        clients: ['restaurant'],
      },
      {
        name: 'booking-events',
        engine: 'aurora-mysql',
        engineVersion: '8.0.mysql_aurora.3.08.0',
        serverlessV2: { minCapacity: 0.5, maxCapacity: 16 },
        readers: 1,
        clients: ['hotel-customer', 'restaurant'],
      },
    ],
  },
};
