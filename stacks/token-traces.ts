// eslint-disable-next-line @typescript-eslint/no-require-imports -- the export is replaced on cdktf's own module object, which a namespace import would copy
import stackTrace = require('cdktf/lib/tokens/private/stack-trace');

/** Set to `1` to keep cdktf's token creation stack traces (to find where a bad token was made). */
export const TOKEN_TRACES_ENV = 'INFRA_TOKEN_STACK_TRACES';

const captureStackTrace = stackTrace.captureStackTrace;

/**
 * Turns off the stack trace cdktf 0.21 captures for every token it creates (each `Lazy`,
 * each intrinsic and each complex attribute of every resource), unless
 * `INFRA_TOKEN_STACK_TRACES=1` is set. Returns whether they are off.
 *
 * Why: the trace is only read to build the message of a token that fails to resolve, but
 * capturing and formatting it costs about a fifth of a synth (profiled with
 * `node --cpu-prof`). cdktf's own switch (`new App({ stackTraces: false })`) only covers
 * construct metadata: the token classes call `captureStackTrace` from
 * `cdktf/lib/tokens/private/stack-trace.js` unconditionally, through the module's exports
 * object, so replacing that export reaches every caller. The synthesized JSON does not
 * change (test/stacks/synth-speed.test.ts).
 */
export function disableTokenStackTraces(env: NodeJS.ProcessEnv = process.env): boolean {
  const off = env[TOKEN_TRACES_ENV] !== '1';
  (stackTrace as { captureStackTrace: typeof captureStackTrace }).captureStackTrace = off ? () => [] : captureStackTrace;
  return off;
}

/**
 * `message`, and when it is cdktf's report of a token that failed to resolve
 * (`Resolution error: ...`, cdktf/lib/tokens/resolvable.js, which appends the token's
 * creation stack only when one was captured) while the traces are off, how to get that
 * stack: without it the message does not say which construct made the token.
 */
export function withTraceHint(message: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env[TOKEN_TRACES_ENV] === '1' || !message.includes('Resolution error:')) return message;
  return `${message}\nWhere the token was made is not recorded (cdktf's token stack traces are off for speed): run again with ${TOKEN_TRACES_ENV}=1 to see it.`;
}
