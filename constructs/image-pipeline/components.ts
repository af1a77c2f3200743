/**
 * The Image Builder component documents (AWSTOE) the Windows / IIS pipeline builds with.
 * JSON is valid YAML, so documents are written as objects and serialized with
 * JSON.stringify: no YAML indentation to get wrong.
 * @see https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-use-documents.html
 */

/** One AWSTOE step. */
interface Step {
  readonly name: string;
  readonly action: 'ExecutePowerShell' | 'Reboot';
  readonly inputs?: { readonly commands: readonly string[] };
}

/** An AWSTOE document: phases `build`, `validate` (after the build) and `test` (on a fresh instance). */
interface ComponentDocument {
  readonly name: string;
  readonly description: string;
  readonly schemaVersion: 1.0;
  readonly phases: ReadonlyArray<{ readonly name: 'build' | 'validate' | 'test'; readonly steps: readonly Step[] }>;
}

const powershell = (name: string, ...commands: string[]): Step => ({ name, action: 'ExecutePowerShell', inputs: { commands } });

/**
 * The document as the string `aws_imagebuilder_component.data` takes. JSON.stringify writes
 * the number 1.0 as `1`, an integer to a YAML reader; AWSTOE's schema gives the version as
 * `schemaVersion: 1.0`, so the documented literal is written back (1.0 is a JSON number and
 * the same YAML scalar as in AWS's examples). Strings inside the document are escaped, so
 * only the top-level key matches.
 */
export const componentData = (doc: ComponentDocument): string => JSON.stringify(doc).replace('"schemaVersion":1,', '"schemaVersion":1.0,');

/**
 * The ASP.NET Core Hosting Bundle at the version the apps pin (they set
 * ASPNETCORE_ENVIRONMENT), and a check that IIS runs. IIS and ASP.NET 4.8 are not installed
 * here: the parent is the Beanstalk Windows platform's AMI, which has them already.
 */
export function dotnetHostingComponent(hostingBundleUrl: string): ComponentDocument {
  return {
    name: 'dotnet-hosting',
    description: 'The ASP.NET Core Hosting Bundle (IIS comes with the Beanstalk platform AMI)',
    schemaVersion: 1.0,
    phases: [
      {
        name: 'build',
        steps: [
          powershell(
            'InstallHostingBundle',
            `$installer = Join-Path $env:TEMP 'dotnet-hosting.exe'`,
            `Invoke-WebRequest -UseBasicParsing -Uri '${hostingBundleUrl}' -OutFile $installer`,
            `$p = Start-Process -FilePath $installer -ArgumentList '/install','/quiet','/norestart' -Wait -PassThru`,
            // 3010: installed, reboot required (the next step reboots).
            `if ($p.ExitCode -notin 0,3010) { throw "Hosting Bundle installer exited with $($p.ExitCode)" }`,
          ),
          { name: 'RebootAfterRuntime', action: 'Reboot' },
        ],
      },
      {
        name: 'validate',
        steps: [powershell('IisRunning', `if ((Get-Service W3SVC).Status -ne 'Running') { throw 'W3SVC is not running' }`)],
      },
    ],
  };
}

/**
 * The Datadog Agent, installed WITHOUT an API key: the image is shared with every consuming
 * account and would carry the key to all of them. The agent service is left stopped and
 * manual; the instance sets the key and starts it at boot (from Secrets Manager), outside
 * this image.
 * @see https://docs.datadoghq.com/agent/basic_agent_usage/windows/ (msiexec options; APIKEY is optional)
 */
export function datadogAgentComponent(msiUrl: string): ComponentDocument {
  return {
    name: 'datadog-agent',
    description: 'Datadog Agent 7, no API key (set at instance boot)',
    schemaVersion: 1.0,
    phases: [
      {
        name: 'build',
        steps: [
          powershell(
            'InstallAgent',
            `$msi = Join-Path $env:TEMP 'datadog-agent.msi'`,
            `Invoke-WebRequest -UseBasicParsing -Uri '${msiUrl}' -OutFile $msi`,
            `$p = Start-Process -FilePath msiexec.exe -ArgumentList '/qn','/i',$msi -Wait -PassThru`,
            `if ($p.ExitCode -ne 0) { throw "Datadog Agent installer exited with $($p.ExitCode)" }`,
            // Without a key the agent would start and fail; the instance starts it once keyed.
            `Stop-Service datadogagent -ErrorAction SilentlyContinue`,
            `Set-Service datadogagent -StartupType Manual`,
          ),
        ],
      },
    ],
  };
}

/** Test phase, on an instance launched from the new image: IIS answers on localhost. */
export function iisAnswersTestComponent(): ComponentDocument {
  return {
    name: 'iis-answers',
    description: 'The instance launched from the image serves HTTP on localhost through IIS',
    schemaVersion: 1.0,
    phases: [
      {
        name: 'test',
        steps: [
          powershell(
            'IisAnswersOnLocalhost',
            `$r = Invoke-WebRequest -UseBasicParsing -Uri 'http://localhost/' -TimeoutSec 30`,
            `if ($r.StatusCode -ne 200) { throw "IIS answered $($r.StatusCode) on localhost" }`,
          ),
        ],
      },
    ],
  };
}
