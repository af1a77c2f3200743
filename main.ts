import { runMain } from './stacks/synthesize';

// The main job: synthesize every account (no cloud credentials, no terraform binary)
// and print what each stack contains.
// CI sets GITHUB_SHA; it is recorded on Fastly service versions.
process.exitCode = runMain({ commitId: process.env.GITHUB_SHA });
