import { runMain } from './stacks/synthesize';

// The main job: synthesize every account (no cloud credentials, no terraform binary)
// and print what each stack contains.
process.exitCode = runMain();
