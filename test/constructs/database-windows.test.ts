import { windowRules } from '../../constructs/database/database-base';
import { errorOf, synthAccount, testAccount } from '../helpers';

/** The props windowRules finds at fault. */
const faults = (backup: string, maintenance: string) => windowRules('backupWindow', backup, 'maintenanceWindow', maintenance).filter(([broken]) => broken).map(([, prop, , expected]) => `${prop}: ${expected}`);

// RDS API reference, CreateDBInstance / CreateDBCluster: PreferredBackupWindow and
// PreferredMaintenanceWindow "Must not conflict with the preferred maintenance/backup
// window" and "Must be at least 30 minutes".
describe('RDS backup and maintenance windows', () => {
  // Touching windows are fine: the terraform-aws-modules/rds examples use backup 03:00-06:00 with maintenance Mon:00:00-Mon:03:00.
  it('accepts the constructs\' defaults and windows that only touch', () => {
    expect(faults('17:00-18:00', 'sun:18:30-sun:19:30')).toEqual([]);
    expect(faults('17:00-18:00', 'sun:18:00-sun:18:30')).toEqual([]);
  });

  it.each([
    ['a plain overlap', '17:00-18:00', 'wed:17:30-wed:18:30'],
    ['a backup window across midnight', '23:30-00:30', 'mon:00:00-mon:01:00'],
    ['a maintenance window across the end of the week', '00:00-00:30', 'sun:23:45-mon:00:15'],
    ['a maintenance window inside the backup window', '01:00-04:00', 'fri:02:00-fri:02:30'],
  ])('refuses %s', (_, backup, maintenance) => {
    expect(faults(backup, maintenance)).toEqual([`maintenanceWindow: a window that does not overlap backupWindow (${backup} UTC, every day)`]);
  });

  it('refuses windows shorter than 30 minutes', () => {
    expect(faults('17:00-17:20', 'sun:18:30-sun:18:50')).toEqual(['backupWindow: a window of at least 30 minutes', 'maintenanceWindow: a window of at least 30 minutes']);
  });

  it('is refused at synth, naming the account, the database and the field', () => {
    const aurora = [{ name: 'restaurant', engine: 'aurora-postgresql', engineVersion: '16.6', serverlessV2: { minCapacity: 0.5, maxCapacity: 4 }, databaseName: 'restaurant', clients: ['restaurant'], maintenanceWindow: 'sun:17:30-sun:18:30' }];
    expect(errorOf(() => synthAccount(testAccount({ name: 'staging', databases: { aurora, sqlServer: [] } })))).toContain(
      'AuroraCluster staging/aurora-restaurant: maintenanceWindow: got "sun:17:30-sun:18:30", expected a window that does not overlap backupWindow (17:00-18:00 UTC, every day)',
    );
    const sqlServer = [{ name: 'hotel-core', mode: 'rds', backupWindow: '18:45-19:15', rds: { edition: 'se', engineVersion: '16.00.4165.4.v1', instanceClass: 'db.m6i.xlarge', allocatedStorageGb: 200 } }];
    expect(errorOf(() => synthAccount(testAccount({ name: 'staging', databases: { aurora: [], sqlServer } })))).toContain(
      'SqlServerCluster staging/sqlserver-hotel-core: rds.maintenanceWindow: got "sun:18:30-sun:19:30", expected a window that does not overlap backupWindow (18:45-19:15 UTC, every day)',
    );
  });
});
