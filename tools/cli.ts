/** The value after `name` in a tool's arguments (`--pr 12` gives '12'), or undefined when the flag is absent. */
export function optionOf(args: readonly string[], name: string): string | undefined {
  return args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
}
