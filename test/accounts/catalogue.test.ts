import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAccounts } from '../../accounts';
import { images, platformBaseAmis, platforms } from '../../accounts/catalogue';
import { sharedDefaults } from '../../accounts/defaults';
import { AccountConfigError, formatProblem, layer, resolveAccounts } from '../../accounts/schema';
import { staging } from '../../accounts/staging';

const file = readFileSync(join(__dirname, '../../accounts/catalogue.ts'), 'utf8');

/** The entries of one exported object, read from the text the way an editing tool would. */
function entriesInText(name: string): Record<string, string> {
  const body = new RegExp(`^export const ${name} = \\{\\n([\\s\\S]*?)^\\} as const;$`, 'm').exec(file)?.[1] ?? '';
  const lines = body.split('\n').filter((l) => l.trim() !== '' && !/^\s+\/\*\*.*\*\/$/.test(l));
  return Object.fromEntries(lines.map((l) => /^ {2}(\w+): '([^']+)',$/.exec(l)).map((m, i) => (m ? [m[1], m[2]] : [`unparsable line ${i}`, lines[i]])));
}

describe('accounts/catalogue.ts: one owner for platform versions and AMIs', () => {
  it('keeps one `key: \'value\',` line per entry, so a tool can bump a version by rewriting a line', () => {
    expect(entriesInText('platforms')).toEqual(platforms);
    expect(entriesInText('images')).toEqual(images);
    expect(entriesInText('platformBaseAmis')).toEqual(platformBaseAmis);
  });

  // The base AMI belongs to one platform version (DescribePlatformVersion's CustomAmiList),
  // so it is keyed like the platform and bumped with it.
  // https://docs.aws.amazon.com/elasticbeanstalk/latest/api/API_PlatformDescription.html
  it('gives platform base AMIs as AMI ids, each keyed by a platform it belongs to', () => {
    for (const [key, id] of Object.entries(platformBaseAmis)) {
      expect(Object.keys(platforms)).toContain(key);
      expect(id).toMatch(/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/);
    }
  });

  it('names full platform versions and AMI ids', () => {
    for (const name of Object.values(platforms)) expect(name).toMatch(/^64bit .+ v\d+\.\d+\.\d+ running /);
    for (const id of Object.values(images)) expect(id).toMatch(/^ami-[0-9a-f]{8,17}$/);
  });

  it('is where every account takes its platforms and AMIs from', () => {
    const platformNames: string[] = Object.values(platforms);
    const imageIds: string[] = Object.values(images);
    for (const account of loadAccounts()) {
      for (const app of account.apps) {
        expect(platformNames).toContain(app.solutionStackName);
        if (app.imageId) expect(imageIds).toContain(app.imageId);
      }
      for (const db of account.databases.sqlServer) if (db.alwaysOn) expect(imageIds).toContain(db.alwaysOn.imageId);
    }
  });

  it('refuses a platform or an AMI typed into an account file instead of taken from the catalogue', () => {
    const apps = staging.apps!.map((a, i) => (i === 0 ? { ...a, solutionStackName: '64bit Windows Server 2022 v2.9.0 running IIS 10.0', imageId: 'ami-00000000000000001' } : a));
    let problems: string[] = [];
    try {
      resolveAccounts([{ folder: 'staging', overrides: layer(staging, { apps }) }], sharedDefaults);
    } catch (error) {
      if (error instanceof AccountConfigError) problems = error.problems.map(formatProblem);
    }
    expect(problems).toEqual([
      `accounts/staging: apps[0].solutionStackName: got "64bit Windows Server 2022 v2.9.0 running IIS 10.0", expected a platform from accounts/catalogue.ts platforms: ${Object.values(platforms).join(', ')}`,
      `accounts/staging: apps[0].imageId: got "ami-00000000000000001", expected an AMI id from accounts/catalogue.ts images: ${Object.values(images).join(', ')}`,
    ]);
  });
});
