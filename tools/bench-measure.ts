import { spawn } from 'node:child_process';
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

/**
 * Runs `command` in `cwd` and measures its wall time and its peak memory: the largest
 * sum of the resident memory of the process and all its descendants (npm, the shell, the
 * build, node), sampled every `intervalMs`. `markSeconds` is when the output first
 * contained `mark` (to split a script into its steps). Rejects, with the output, if it fails.
 */
export function measure(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  mark?: string,
  intervalMs = 20,
): Promise<Sample & { output: string; markSeconds?: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command[0], command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let markSeconds: number | undefined;
    const collect = (d: Buffer) => {
      output += d;
      if (mark !== undefined && markSeconds === undefined && output.includes(mark)) markSeconds = (performance.now() - started) / 1000;
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
      if (code !== 0) reject(new Error(`${command.join(' ')} (in ${cwd}) exited with ${code}:\n${output}`));
      else resolve({ seconds, peakMb, output, markSeconds });
    });
  });
}
