import { VclFile, checkVcl } from '../../constructs/fastly/vcl-check';
import { errorOf } from '../helpers';

const file = (name: string, content: string): VclFile => ({ name, path: `vcl/${name}.vcl`, content });
const problemsOf = (...files: VclFile[]) => errorOf(() => checkVcl(files, (f) => f.name === 'main')).split('\n').slice(1).map((l) => l.trim());

const goodMain = `include "lib";
sub vcl_recv {
#FASTLY recv
  call lib_fn;
  return(lookup);
}
`;

describe('VCL check', () => {
  it('passes a well-formed main file and its include', () => {
    expect(() => checkVcl([file('main', goodMain), file('lib', 'sub lib_fn {\n  set req.http.X = "{";\n}\n')], (f) => f.name === 'main')).not.toThrow();
  });

  it('ignores braces and quotes inside comments and strings, and reads long strings', () => {
    const content = `# a comment with { and "
/* block { comment */
sub vcl_error {
#FASTLY error
  synthetic {"<p class="x">{ not a brace</p>"};
  // another } comment
}
`;
    expect(() => checkVcl([file('main', content)], () => true)).not.toThrow();
  });

  it('reports an unclosed brace at the line it opened', () => {
    expect(problemsOf(file('main', 'sub vcl_recv {\n#FASTLY recv\n  if (req.http.X) {\n    return(pass);\n}\n'))).toEqual([
      "vcl/main.vcl:1: unbalanced '{': never closed",
    ]);
  });

  it('reports a stray closing brace', () => {
    expect(problemsOf(file('main', 'sub vcl_recv {\n#FASTLY recv\n}\n}\n'))).toEqual(["vcl/main.vcl:4: unbalanced '}': nothing to close"]);
  });

  it('reports an unterminated string', () => {
    expect(problemsOf(file('main', 'sub vcl_recv {\n#FASTLY recv\n  set req.http.X = "oops;\n}\n'))).toEqual(['vcl/main.vcl:3: unterminated string']);
  });

  it('reports an unterminated long string and block comment', () => {
    expect(problemsOf(file('lib', 'sub f {\n  synthetic {"never ends;\n}\n'))).toEqual(['vcl/lib.vcl:2: unterminated long string {"...']);
    expect(problemsOf(file('lib', '/* never\nends\n'))).toEqual(['vcl/lib.vcl:1: unterminated /* comment']);
  });

  it('reports a vcl_ subroutine Fastly does not have', () => {
    expect(problemsOf(file('main', 'sub vcl_recieve {\n  return(lookup);\n}\n'))).toEqual([
      'vcl/main.vcl:1: Fastly has no subroutine vcl_recieve (it has vcl_recv, vcl_hash, vcl_hit, vcl_miss, vcl_pass, vcl_fetch, vcl_error, vcl_deliver, vcl_log)',
    ]);
  });

  it('reports a Fastly subroutine in the main file without its #FASTLY macro', () => {
    expect(problemsOf(file('main', '\nsub vcl_fetch {\n  return(deliver);\n}\n'))).toEqual([
      'vcl/main.vcl:2: sub vcl_fetch is missing its "#FASTLY fetch" macro (Fastly inserts its generated code there)',
    ]);
  });

  it('does not ask an included file for macros', () => {
    expect(() => checkVcl([file('main', goodMain.replace('include "lib";', '')), file('lib', 'sub vcl_log {\n}\n')], (f) => f.name === 'main')).not.toThrow();
  });

  it('reports an include naming a file that does not exist', () => {
    expect(problemsOf(file('main', goodMain.replace('"lib"', '"routing"')))).toEqual(['vcl/main.vcl:1: include "routing" names no VCL file of this service (it has "main")']);
  });

  it('lists every problem of every file in one error', () => {
    const message = errorOf(() => checkVcl([file('main', 'include "x";\nsub vcl_recv {\n'), file('lib', '}')], (f) => f.name === 'main'));
    expect(message.split('\n')).toHaveLength(4);
  });
});
