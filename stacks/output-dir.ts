import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../constructs/core/validation';

/**
 * The synthesized output, switched atomically.
 *
 * `cdktf.out` is a symbolic link to a complete generation directory under
 * `cdktf.out.generations/`. A run synthesizes into a fresh directory there and switches
 * the link with one rename (atomic on POSIX file systems), so a reader, or a crash at any
 * moment, sees either the previous output or the new one, never none and never half of
 * one. Terraform, CI and the tools keep using `cdktf.out/stacks/<name>`: they follow
 * the link.
 *
 * A lock file (holding the writer's pid) keeps two runs from interleaving; a lock whose
 * process is gone is stale and taken over. Leftovers of killed runs (half-written or
 * unpublished generations, temporary links, the `cdktf.out.next-*` / `.old-*` directories
 * of the earlier two-rename scheme) are removed by the next run, under the lock.
 */
export class OutputDir {
  /** Where generations, the lock and temporary links live. */
  public readonly generations: string;
  private readonly lockFile: string;

  constructor(public readonly path: string) {
    this.generations = `${path}.generations`;
    this.lockFile = join(this.generations, 'lock');
  }

  /**
   * Runs `write` holding the lock, after recovering and cleaning up after killed runs.
   * `write` gets a fresh directory to fill; its result is published if it returns.
   */
  public replace<T>(write: (dir: string) => T): T {
    mkdirSync(this.generations, { recursive: true });
    const release = this.lock();
    try {
      this.recover();
      const building = join(this.generations, `building-${process.pid}`);
      let result: T;
      try {
        result = write(building);
      } catch (error) {
        rmSync(building, { recursive: true, force: true });
        throw error;
      }
      this.publish(building);
      return result;
    } finally {
      try {
        release();
      } catch {
        /* a lock left behind names a dead pid: the next run takes it over */
      }
    }
  }

  /**
   * Takes the lock or throws naming the run that holds it. Two runs finding the same stale
   * lock at the same instant could both take it over (between reading and removing it);
   * for a developer command, and CI's one synth per job, that window is accepted.
   */
  private lock(): () => void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockFile, 'wx'); // fails if the file exists: one winner
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return () => rmSync(this.lockFile, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number(readFileSync(this.lockFile, 'utf8').trim());
      if (isRunning(holder)) {
        throw new UserError(
          `${basename(this.path)} is being written by another run (pid ${holder}): wait for it to finish. ` +
            `If no such run exists (the pid was reused), delete ${this.lockFile}.`,
        );
      }
      rmSync(this.lockFile, { force: true }); // stale: its run was killed
    }
    throw new UserError(`could not take the lock ${this.lockFile}: another run keeps taking it`);
  }

  /** The generation `path` links to, or undefined when `path` is not a link. */
  private current(): string | undefined {
    const stat = lstatSync(this.path, { throwIfNoEntry: false });
    return stat?.isSymbolicLink() ? basename(readlinkSync(this.path)) : undefined;
  }

  /**
   * Brings `path` to the link layout and removes what killed runs left. A real directory
   * (the layout before generations) becomes the first generation; if a run was killed
   * between that move and the link (the only two-step change), the link is restored here.
   */
  private recover(): void {
    const stat = lstatSync(this.path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      const generation = `g-${Date.now()}-${process.pid}-adopted`;
      renameSync(this.path, join(this.generations, generation));
      this.link(generation);
    } else if (!stat) {
      const complete = readdirSync(this.generations).filter((e) => e.startsWith('g-')).sort();
      if (complete.length > 0) this.link(complete[complete.length - 1]);
    }
    const keep = new Set([this.current(), 'lock']);
    for (const entry of readdirSync(this.generations)) {
      if (!keep.has(entry)) rmSync(join(this.generations, entry), { recursive: true, force: true });
    }
    const name = basename(this.path);
    for (const entry of readdirSync(dirname(this.path))) {
      if (entry.startsWith(`${name}.next-`) || entry.startsWith(`${name}.old-`)) rmSync(join(dirname(this.path), entry), { recursive: true, force: true });
    }
  }

  /** Makes `building` a generation and switches the link to it; then drops the old one. */
  private publish(building: string): void {
    const previous = this.current();
    const generation = `g-${Date.now()}-${process.pid}`;
    renameSync(building, join(this.generations, generation));
    this.link(generation);
    // Nothing after the switch may throw (the caller reports a throw as "nothing was
    // written"): a failure here leaves a leftover for the next run's recover().
    try {
      if (previous !== undefined) rmSync(join(this.generations, previous), { recursive: true, force: true });
    } catch {
      /* removed by the next run */
    }
  }

  /** Points `path` at `generation` with one rename of a fresh link over it. */
  private link(generation: string): void {
    const temporary = join(this.generations, `link-${process.pid}`);
    rmSync(temporary, { force: true });
    // Relative, so the tree can be moved or mounted elsewhere (CI caches, containers).
    symlinkSync(join(basename(this.generations), generation), temporary);
    renameSync(temporary, this.path);
  }
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
