import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { Sample } from './bench-stats';

/** The process and all its descendants, from /proc (Linux). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const task of tasks) {
      try {
        for (const child of readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').split(' ')) if (child.trim()) out.push(Number(child));
      } catch {
        // exited meanwhile
      }
    }
  }
  return out;
}

/** Resident memory of `pids` together, in MB. */
function residentMb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // exited meanwhile
    }
  }
  return kb / 1024;
}

/** What the wrapping shell prints after the command: its children's CPU ticks (user, system). */
const CPU_MARK = '@@bench-cpu';

/**
 * Runs `command` in `cwd` and measures its wall time, its CPU time (user and system, the
 * command and all its descendants: the wrapping shell's cutime and cstime from
 * /proc/<pid>/stat once it has waited for them) and its peak memory: the largest
 * sum of the resident memory of the process and all its descendants (npm, the shell, the
 * build, node), sampled every `intervalMs`. `markSeconds[i]` is when the output first
 * contained `marks[i]` (to split a script into its steps). Rejects, with the output, if it fails.
 */
export function measure(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  marks: readonly string[] = [],
  intervalMs = 20,
): Promise<Sample & { cpuSeconds: number; output: string; markSeconds: Array<number | undefined> }> {
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  const script = `"$@"; status=$?; echo "${CPU_MARK} $(cut -d' ' -f16,17 /proc/$$/stat)" >&2; exit $status`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('sh', ['-c', script, 'sh', ...command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const markSeconds: Array<number | undefined> = marks.map(() => undefined);
    const collect = (d: Buffer) => {
      output += d;
      marks.forEach((mark, i) => {
        if (markSeconds[i] === undefined && output.includes(mark)) markSeconds[i] = (performance.now() - started) / 1000;
      });
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let peakMb = 0;
    const sample = () => (peakMb = Math.max(peakMb, residentMb(processTree(child.pid!))));
    const timer = setInterval(sample, intervalMs);
    sample();
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      const cpu = new RegExp(`^${CPU_MARK} (\\d+) (\\d+)$`, 'm').exec(output);
      output = output.replace(new RegExp(`^${CPU_MARK}.*\\n`, 'm'), '');
      if (code !== 0) reject(new Error(`${command.join(' ')} (in ${cwd}) exited with ${code}:\n${output}`));
      else if (!cpu) reject(new Error(`${command.join(' ')}: no CPU time reported by the wrapping shell:\n${output}`));
      else resolve({ seconds, cpuSeconds: (Number(cpu[1]) + Number(cpu[2])) / ticksPerSecond, peakMb, output, markSeconds });
    });
  });
}
