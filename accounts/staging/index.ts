import { images, platforms } from '../catalogue';
import { AccountOverrides } from '../schema';

const certificate = 'arn:aws:acm:ap-northeast-1:222222222222:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const secret = (name: string) => `arn:aws:secretsmanager:ap-northeast-1:222222222222:secret:${name}`;

/** Staging: production's shape at a smaller size, for release checks. */
export const staging: AccountOverrides = {
  name: 'staging',
  accountId: '222222222222',
  environment: 'staging',
  state: { bucket: 'example-co-tfstate-222222222222' },
  tags: { costCenter: 'CC-2200' },
  network: { cidrBlock: '10.20.0.0/16', natGateways: 'single' },
  apps: [
    {
      name: 'hotel-customer',
      caches: ['hotel-session'],
      solutionStackName: platforms.windowsIis,
      imageId: images.windowsMonthly,
      environments: [
        { name: 'hotel-customer-stg', certificateArn: certificate, secrets: { ConnectionStrings__Core: secret('hotel/core-db-MnOpQr') } },
        { name: 'hotel-customer-canary-stg', certificateArn: certificate, secrets: { ConnectionStrings__Core: secret('hotel/core-db-MnOpQr') } },
      ],
    },
    {
      name: 'hotel-partner',
      caches: ['hotel-session'],
      solutionStackName: platforms.windowsIis,
      imageId: images.windowsMonthly,
      environments: [{ name: 'hotel-partner-stg', certificateArn: certificate, secrets: { ConnectionStrings__Core: secret('hotel/core-db-MnOpQr') } }],
    },
    {
      name: 'restaurant',
      solutionStackName: platforms.python,
      environments: [{ name: 'restaurant-stg', certificateArn: certificate, secrets: { DATABASE_URL: secret('restaurant/db-url-StUvWx') } }],
    },
  ],
  cdn: [
    {
      name: 'hotel',
      domains: ['www.stg.example-hotel.jp', 'partner.stg.example-hotel.jp'],
      vclFolder: 'hotel',
      backends: [
        { name: 'customer', app: 'hotel-customer', originHost: 'origin-www.stg.example-hotel.jp' },
        { name: 'customer_canary', app: 'hotel-customer', environment: 'hotel-customer-canary-stg', originHost: 'origin-canary.stg.example-hotel.jp' },
        { name: 'partner', app: 'hotel-partner', originHost: 'origin-partner.stg.example-hotel.jp' },
        { name: 'images', s3Bucket: 'example-hotel-images-staging', healthCheck: false },
      ],
      pathRoutes: [
        { pathPrefix: '/images/', backend: 'images' },
        { pathPrefix: '/partner/', backend: 'partner' },
      ],
      hostRoutes: [{ host: 'partner.stg.example-hotel.jp', backend: 'partner' }],
      // Staging tries the percentage split (production opts in by query parameter only).
      featureRoutes: [{ name: 'new-search', queryParam: 'beta_search', cookie: 'beta_search', percent: 50, backend: 'customer_canary' }],
      logging: { s3: true },
    },
  ],
  mail: [
    {
      name: 'customer',
      provider: 'sendgrid',
      senders: ['hotel-customer', 'hotel-partner', 'restaurant'],
      sendgrid: { eventWebhookPublicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEXKW3K11rYL0Ud37XPjxEBlFCOs4jD4tW4U9wlwV5sVRlPYFlF4UdnXOJ6OrJHhA2hG26xwCB7d1gPSAPmBWJzw==' },
    },
    { name: 'internal', provider: 'ses', senders: ['hotel-customer'], ses: { domain: 'ops.stg.example-hotel.jp' } },
  ],
  monitoring: {
    slack: { immediate: 'infra-staging-watch', watch: 'infra-staging-watch' },
    // Staging pages nobody: its alerts all go to the watch channel, and it runs a short SLO
    // so that a release that would burn production's budget shows up here first.
    thresholds: { beanstalk: { http5xxPercent: 10 } },
    slos: [{ name: 'hotel-availability', service: 'hotel', source: 'fastly', kind: 'availability', target: 99, timeframe: '7d' }],
  },
  // One node: staging may lose its sessions on a node failure.
  caches: [{ name: 'hotel-session' }],
  cost: { monthlyBudgetUsd: 9000, chatbot: { workspaceId: 'T01EXAMPLE', watchChannelId: 'C01STGWATCH', immediateChannelId: 'C01STGWATCH' } },
  databases: {
    sqlServer: [
      {
        name: 'hotel-core',
        mode: 'rds',
        clients: ['hotel-customer', 'hotel-partner'],
        rds: { edition: 'se', engineVersion: '16.00.4165.4.v1', instanceClass: 'db.m6i.xlarge', allocatedStorageGb: 200 },
      },
    ],
    aurora: [
      {
        name: 'restaurant',
        engine: 'aurora-postgresql',
        engineVersion: '16.6',
        serverlessV2: { minCapacity: 0.5, maxCapacity: 4 },
        databaseName: 'restaurant',
        clients: ['restaurant'],
      },
    ],
  },
};
