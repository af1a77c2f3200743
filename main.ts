import { runMain } from './stacks/synthesize';

// The main job: synthesize every account (no cloud credentials, no terraform binary)
// and print what each stack contains. `npm start -- <account>...` synthesizes only those.
// The commit being deployed is recorded on Fastly service versions. The workflows set
// COMMIT_ID (a step cannot override GITHUB_SHA, which on a pull request is a merge commit).
process.exitCode = runMain({ commitId: process.env.COMMIT_ID ?? process.env.GITHUB_SHA, only: process.argv.slice(2) });
