import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VclFile, checkSnippets, checkVcl } from '../../constructs/fastly/vcl-check';
import { FUNCTIONS, RETURN_STATES } from '../../constructs/fastly/vcl-reference';
import { errorOf } from '../helpers';

const file = (name: string, content: string): VclFile => ({ name, path: `vcl/${name}.vcl`, content });
const check = (...files: VclFile[]) => checkVcl(files, (f) => f.name === 'main');
const problemsOf = (...files: VclFile[]) => errorOf(() => check(...files)).split('\n').slice(1).map((l) => l.trim());
/** The subroutine `name` of a main file, with its macro, holding `body`. */
const sub = (name: string, body: string) => `sub ${name} {\n#FASTLY ${name.slice(4)}\n${body}\n}\n`;

const goodMain = `include "lib";
sub vcl_recv {
#FASTLY recv
  call lib_fn;
  return(lookup);
}
`;

describe('VCL check: the grammar', () => {
  it('passes a well-formed main file and its include', () => {
    expect(() => check(file('main', goodMain), file('lib', 'sub lib_fn {\n  set req.http.X = "{";\n}\n'))).not.toThrow();
  });

  it('ignores braces and quotes inside comments and strings, and reads long strings', () => {
    const content = `# a comment with { and "
/* block { comment */
sub vcl_error {
#FASTLY error
  synthetic {"<p class="x">{ not a brace</p>"};
  // another } comment
  return(deliver);
}
`;
    expect(() => checkVcl([file('main', content)], () => true)).not.toThrow();
  });

  // https://www.fastly.com/documentation/reference/vcl/types/string/ (long strings with a heredoc delimiter)
  it('reads a long string with a custom delimiter, holding "} and a newline', () => {
    expect(() => check(file('main', sub('vcl_error', '  synthetic {xyz"<p>a "} inside</p>\n<p>and a line</p>"xyz};\n  return(deliver);')))).not.toThrow();
  });

  it('reports an unclosed brace at the line it opened', () => {
    expect(problemsOf(file('main', 'sub vcl_recv {\n#FASTLY recv\n  if (req.http.X) {\n    return(pass);\n}\n'))).toEqual(["vcl/main.vcl:1:14: unbalanced '{': never closed"]);
  });

  it('reports a stray closing brace', () => {
    expect(problemsOf(file('main', 'sub vcl_recv {\n#FASTLY recv\n}\n}\n'))).toEqual(["vcl/main.vcl:4:1: unbalanced '}': nothing to close"]);
  });

  it('reports an unterminated string', () => {
    expect(problemsOf(file('main', 'sub vcl_recv {\n#FASTLY recv\n  set req.http.X = "oops;\n}\n'))[0]).toBe('vcl/main.vcl:3:20: unterminated string: a "..." string ends on its line (use {"..."} for several lines)');
  });

  it('reports an unterminated long string and block comment', () => {
    expect(problemsOf(file('lib', 'sub f {\n  synthetic {"never ends;\n}\n'))).toEqual(['vcl/lib.vcl:2:13: unterminated long string {"... (expected "})']);
    expect(problemsOf(file('lib', 'sub f {\n  synthetic {abc"never ends"};\n}\n'))).toEqual(['vcl/lib.vcl:2:13: unterminated long string {abc"... (expected "abc})']);
    expect(problemsOf(file('lib', '/* never\nends\n'))).toEqual(['vcl/lib.vcl:1:1: unterminated /* comment']);
  });

  it('reports a missing semicolon after the statement that lacks it', () => {
    expect(problemsOf(file('main', sub('vcl_recv', '  set req.http.X = "a"\n  unset req.http.Y;\n  return(lookup);')))).toEqual([
      "vcl/main.vcl:3:20: expected ';' after set req.http.X, found 'unset'",
    ]);
    expect(problemsOf(file('main', sub('vcl_recv', '  return(lookup)')))).toEqual(["vcl/main.vcl:3:16: expected ';' after return(lookup), found '}'"]);
  });

  it('reports single-quoted strings', () => {
    expect(problemsOf(file('main', sub('vcl_recv', "  set req.http.X = 'a';\n  return(lookup);")))).toEqual([
      `vcl/main.vcl:3:20: single-quoted string 'a': VCL strings use double quotes ("...") or {"..."}`,
    ]);
  });

  it('reports a missing semicolon before an if statement', () => {
    expect(problemsOf(file('main', sub('vcl_recv', '  set req.http.X = "a"\n  if (req.http.Y) {\n    return(pass);\n  }\n  return(lookup);')))[0]).toBe(
      "vcl/main.vcl:3:20: expected ';' after set req.http.X, found 'if'",
    );
  });

  it('reports an unknown statement', () => {
    expect(problemsOf(file('main', sub('vcl_recv', '  req.http.X = "a";\n  return(lookup);')))).toEqual([
      'vcl/main.vcl:3:3: unknown statement req.http.X (did you mean "set req.http.X = ..."?)',
    ]);
  });
});

describe('VCL check: Fastly semantics (vcl-reference.ts)', () => {
  it('reports a vcl_ subroutine Fastly does not have', () => {
    expect(problemsOf(file('main', 'sub vcl_recieve {\n  return(lookup);\n}\n'))).toEqual([
      'vcl/main.vcl:1:5: Fastly has no subroutine vcl_recieve (it has vcl_recv, vcl_hash, vcl_hit, vcl_miss, vcl_pass, vcl_fetch, vcl_error, vcl_deliver, vcl_log)',
    ]);
  });

  it('reports a Fastly subroutine in the main file without its #FASTLY macro, and none in an include', () => {
    expect(problemsOf(file('main', '\nsub vcl_fetch {\n  return(deliver);\n}\n'))).toEqual([
      'vcl/main.vcl:2:5: sub vcl_fetch is missing its "#FASTLY fetch" macro (Fastly inserts its generated code there)',
    ]);
    expect(() => check(file('main', goodMain), file('lib', 'sub vcl_log {\n}\nsub lib_fn {\n}\n'))).not.toThrow();
  });

  it('reports an include naming a file that does not exist', () => {
    expect(problemsOf(file('main', goodMain.replace('"lib"', '"routing"')))).toContain('vcl/main.vcl:1:9: include "routing" names no VCL file of this service (it has "main")');
  });

  // Fastly runs the main VCL and what it includes; other uploaded vcl blocks never run
  // (https://www.fastly.com/documentation/reference/vcl/statements/include/: "will ignore all others unless they are explicitly included"): an account's
  // override that adds a file nothing includes would be "tried" without running.
  it('reports a file that neither the main file nor its includes include', () => {
    const lib = 'include "deep";\nsub lib_fn {\n}\n';
    expect(() => check(file('main', goodMain), file('lib', lib), file('deep', 'sub deep_fn {\n}\n'))).not.toThrow();
    expect(problemsOf(file('main', goodMain), file('lib', 'sub lib_fn {\n}\n'), file('routing', 'sub routing_fn {\n}\n'))).toEqual([
      'vcl/routing.vcl:1:1: routing is never included (no include "routing"; in the main file or what it includes): Fastly would upload it and never run it',
    ]);
  });

  it('reports a call to an undefined subroutine', () => {
    expect(problemsOf(file('main', sub('vcl_recv', '  call hotel_normalise;\n  return(lookup);')))).toEqual([
      'vcl/main.vcl:3:3: call hotel_normalise: no such subroutine in this service (it has vcl_recv)',
    ]);
  });

  it('reports a return state the subroutine does not allow, also through a custom subroutine it calls', () => {
    expect(problemsOf(file('main', sub('vcl_deliver', '  return(pass);')))).toEqual(['vcl/main.vcl:3:3: return(pass) is not allowed in vcl_deliver: it allows deliver, restart']);
    expect(problemsOf(file('main', sub('vcl_hash', '  call helper;\n  return(hash);') + 'sub helper {\n  return(lookup);\n}\n'))).toEqual([
      'vcl/main.vcl:7:3: return(lookup) is not allowed in vcl_hash (helper is called from it): it allows hash',
    ]);
  });

  it('reports an undeclared var.* and accepts a declared one', () => {
    expect(problemsOf(file('main', sub('vcl_recv', '  set var.lang = "ja";\n  return(lookup);')))).toEqual([
      'vcl/main.vcl:3:3: var.lang is not declared in vcl_recv (declare local var.lang <TYPE>; first)',
    ]);
    expect(() => check(file('main', sub('vcl_recv', '  declare local var.lang STRING;\n  set var.lang = "ja";\n  set req.http.X-Lang = var.lang;\n  return(lookup);')))).not.toThrow();
  });

  it('reports an unknown function and a wrong number of arguments', () => {
    expect(problemsOf(file('main', sub('vcl_recv', '  set req.http.X = uuid.v4();\n  set req.url = querystring.sort(req.url, "x");\n  return(lookup);')))).toEqual([
      "vcl/main.vcl:3:20: unknown function uuid.v4() (not in Fastly's VCL reference table, constructs/fastly/vcl-reference.ts)",
      'vcl/main.vcl:4:17: querystring.sort() takes 1 argument, got 2',
    ]);
  });

  it('reports synthetic outside vcl_error', () => {
    expect(problemsOf(file('main', sub('vcl_deliver', '  synthetic "x";\n  return(deliver);')))).toEqual(['vcl/main.vcl:3:3: synthetic is not allowed in vcl_deliver: only in vcl_error']);
  });

  it('reports error in vcl_deliver and vcl_log', () => {
    expect(problemsOf(file('main', sub('vcl_deliver', '  error 503;\n  return(deliver);') + sub('vcl_log', '  error 500 "x";')))).toEqual([
      'vcl/main.vcl:3:3: error is not allowed in vcl_deliver: only in vcl_recv, vcl_hit, vcl_miss, vcl_pass, vcl_fetch',
      'vcl/main.vcl:8:3: error is not allowed in vcl_log: only in vcl_recv, vcl_hit, vcl_miss, vcl_pass, vcl_fetch',
    ]);
  });

  it('reports an assignment to a read-only variable', () => {
    expect(problemsOf(file('main', sub('vcl_recv', '  set client.ip = "10.0.0.1";\n  unset req.is_ssl;\n  set req.url.path = "/";\n  return(lookup);')))).toEqual([
      'vcl/main.vcl:3:3: client.ip is read-only: it cannot be set, added or unset',
      'vcl/main.vcl:4:3: req.is_ssl is read-only: it cannot be set, added or unset',
      'vcl/main.vcl:5:3: req.url.path is read-only: it cannot be set, added or unset',
    ]);
  });

  it('reports a variable used outside its scope, also through a custom subroutine', () => {
    expect(problemsOf(file('main', sub('vcl_recv', '  if (beresp.status == 500) {\n    return(pass);\n  }\n  return(lookup);')))).toEqual([
      'vcl/main.vcl:3:7: beresp.status is not available in vcl_recv (beresp.* exists only in vcl_fetch)',
    ]);
    expect(problemsOf(file('main', sub('vcl_recv', '  set req.hash += req.url;\n  set req.hash_always_miss = true;\n  return(lookup);')))).toEqual([
      'vcl/main.vcl:3:3: req.hash is not available in vcl_recv (req.hash exists only in vcl_hash)',
    ]);
    expect(problemsOf(file('main', sub('vcl_deliver', '  call h;\n  return(deliver);') + 'sub h {\n  set bereq.http.X = "1";\n}\n'))).toEqual([
      'vcl/main.vcl:7:3: bereq.http.X is not available in vcl_deliver (bereq.* exists only in vcl_miss, vcl_pass, vcl_fetch)',
    ]);
  });

  // https://www.fastly.com/documentation/reference/vcl/variables/: a misspelt variable fails
  // the version's compilation at apply; here it fails synth.
  it('reports a misspelt variable: an unknown namespace, or an unknown member of req, bereq, beresp, resp, obj', () => {
    const body = '  set rq.http.X = "1";\n  if (req.htpp.Host) {\n    set req.http.Y = nosuch.thing;\n  }\n  return(lookup);';
    expect(problemsOf(file('main', sub('vcl_recv', body)))).toEqual([
      expect.stringMatching(/^vcl\/main\.vcl:3:3: unknown variable rq\.http\.X: Fastly has no rq\.\* \(its variables are under backend, bereq, beresp, .*; constructs\/fastly\/vcl-reference\.ts\)$/),
      expect.stringMatching(/^vcl\/main\.vcl:4:7: unknown variable req\.htpp\.Host: Fastly has no req\.htpp \(req\.\* has backend, .*\)$/),
      expect.stringMatching(/^vcl\/main\.vcl:5:22: unknown variable nosuch\.thing: Fastly has no nosuch\.\*/),
    ]);
    expect(problemsOf(file('main', sub('vcl_fetch', '  set beresp.tll = 60s;\n  return(deliver);')))).toEqual([expect.stringMatching(/^vcl\/main\.vcl:3:3: unknown variable beresp\.tll: Fastly has no beresp\.tll/)]);
    const known = '  set beresp.ttl = 60s;\n  set beresp.http.X = req.url.path req.http.Cookie:id bereq.url beresp.backend.name;\n  set beresp.stale_if_error = 1h;\n  return(deliver);';
    expect(() => check(file('main', sub('vcl_fetch', known)))).not.toThrow();
  });

  it('reports a goto without its label, and a subroutine defined twice', () => {
    expect(problemsOf(file('main', sub('vcl_recv', '  goto done;\n  return(lookup);') + 'sub vcl_recv {\n#FASTLY recv\n}\n'))).toEqual([
      'vcl/main.vcl:3:3: goto done: no label done: in vcl_recv',
      'vcl/main.vcl:6:5: sub vcl_recv is defined twice (first at vcl/main.vcl:1)',
    ]);
  });

  it('lists every problem of every file in one error', () => {
    const message = errorOf(() => check(file('main', 'include "x";\nsub vcl_recv {\n'), file('lib', '}')));
    expect(message.split('\n')).toHaveLength(5); // the header, then: two brace problems, the missing include, lib never included
  });

  it('checks snippets as statements of their subroutine', () => {
    expect(() => checkSnippets([{ name: 'ok', type: 'fetch', content: 'set beresp.stale_if_error = 86400s;\n' }])).not.toThrow();
    expect(errorOf(() => checkSnippets([{ name: 'bad', type: 'deliver', content: 'set beresp.ttl = 1s;\nerror 503;\n' }])).split('\n').slice(1).map((l) => l.trim())).toEqual([
      '(generated snippet bad):1:1: beresp.ttl is not available in vcl_deliver (beresp.* exists only in vcl_fetch)',
      '(generated snippet bad):2:1: error is not allowed in vcl_deliver: only in vcl_recv, vcl_hit, vcl_miss, vcl_pass, vcl_fetch',
    ]);
  });

  it('knows a return state for every Fastly subroutine and an arity for every function', () => {
    for (const states of Object.values(RETURN_STATES)) expect(states.length).toBeGreaterThan(0);
    for (const [min, max] of Object.values(FUNCTIONS)) expect(min).toBeLessThanOrEqual(max);
  });
});

/** Valid Fastly VCL the checker must accept: each construct of the grammar at least once. */
const CORPUS: Record<string, string> = {
  'acl, table, backend, director and import': `import boltsort;
acl office {
  "192.0.2.0"/24;
  !"192.0.2.13";
  "2001:db8::"/32;
}
table redirects STRING {
  "/old": "/new",
  "/a": "/b"
}
table flags BOOL {
  "beta": true,
}
backend F_origin {
  .host = "origin.example.com";
  .port = "443";
  .ssl = true;
  .connect_timeout = 1s;
  .first_byte_timeout = 15s;
  .probe = {
    .request = "HEAD / HTTP/1.1" "Host: origin.example.com" "Connection: close";
    .expected_response = 200;
    .interval = 15s;
  }
}
director pool random {
  .quorum = 50%;
  { .backend = F_origin; .weight = 1; }
}
`,
  'statements of every kind': `sub vcl_recv {
#FASTLY recv
  declare local var.path STRING;
  declare local var.n INTEGER;
  set var.path = std.tolower(req.url.path);
  set var.n = 1;
  set var.n += 2;
  set client.identity = req.http.Cookie:uid;
  set client.geo.ip_override = req.http.Fastly-Client-IP;
  if (client.ip ~ office) {
    set req.http.X-Office = "1";
  } else if (req.http.X-A) {
    unset req.http.X-A;
  } elseif (req.http.X-B) {
    remove req.http.X-B;
  } elsif (req.http.X-C) {
    set req.http.X-C = "c";
  } else {
    set req.http.X-D = if(req.is_ssl, "https", "http");
  }
  if (table.contains(redirects, req.url.path)) {
    error 801 table.lookup(redirects, req.url.path);
  }
  if (req.restarts > 0 && !req.http.X-Retry) {
    goto done;
  }
  set req.http.X-Msg = "a" req.http.host "b" + std.itoa(var.n);
  log "syslog " req.service_id " my-log :: " req.url;
  done:
  return(lookup);
}
sub vcl_fetch {
#FASTLY fetch
  if (beresp.http.Content-Type ~ "text/html") {
    esi;
  }
  set beresp.ttl = 24h;
  set beresp.grace = 1d;
  set beresp.stale_while_revalidate = 60s;
  if (beresp.status == 500 && req.restarts < 1) {
    restart;
  }
  return(deliver);
}
sub vcl_error {
#FASTLY error
  if (obj.status == 801) {
    set obj.status = 301;
    set obj.http.Location = obj.response;
    synthetic {"moved"};
    return(deliver);
  }
  synthetic.base64 "aGVsbG8=";
  return(deliver);
}
sub vcl_deliver {
#FASTLY deliver
  add resp.http.Set-Cookie = "a=1; Secure";
  set resp.http.X-Hits = obj.hits;
  h2.push("/style.css");
  return(deliver);
}
`,
  'multi-line concatenation with if() calls, bare blocks, a parenthesized value': `sub vcl_deliver {
#FASTLY deliver
  declare local var.first BOOL;
  set var.first = (req.restarts == 0);
  {
    set resp.http.X-Trace = "(" server.identity " " now.sec ") "
       if(resp.http.X-Trace, resp.http.X-Trace, "")
       if(obj.hits > 0, "HIT", "MISS");
  }
  return (deliver);
}
`,
  'rate limiting: penaltybox, ratecounter, a call spread over lines with comments': `penaltybox abusers {}
ratecounter per_client {}
sub vcl_recv {
#FASTLY recv
  declare local var.limited BOOL;
  set var.limited = ratelimit.check_rate(
    client.ip, # key
    per_client,
    1,  # delta
    10, # window
    100,
    abusers,
    2m);
  if (var.limited) {
    set req.http.X-Bucket = std.itoa(ratecounter.per_client.bucket.10s);
    error 429 "Too many requests";
  }
  set req.http.X-Tail = substr(req.url, -12);
  return(lookup);
}
`,
  'a function subroutine returning a value': `sub lang STRING {
  if (req.http.Accept-Language ~ "^ja") {
    return "ja";
  }
  return "en";
}
sub vcl_recv {
#FASTLY recv
  set req.http.X-Lang = lang();
  return(lookup);
}
`,
  // Patterns of Fastly's docs: API-key auth with a table, a director with quorum, geo and
  // device variables, segmented caching, HMAC, JSON in a heredoc long string (a {"..."}
  // string ends at the first "}), synthetic.base64, restarts from vcl_error and vcl_deliver, log.
  'a whole service: auth, director, geo, ESI, heredoc JSON, restarts': `backend F_origin {
  .host = "origin.example.com";
  .port = "443";
  .ssl = true;
  .ssl_cert_hostname = "origin.example.com";
  .ssl_sni_hostname = "origin.example.com";
  .probe = {
    .request = "HEAD /health HTTP/1.1" "Host: origin.example.com" "Connection: close";
    .threshold = 1;
    .window = 2;
    .interval = 10s;
  }
}

director origin_pool random {
  .quorum = 50%;
  .retries = 3;
  { .backend = F_origin; .weight = 1; }
}

table api_keys {
  "abc": "team-a",
}

sub vcl_recv {
#FASTLY recv
  if (req.http.Fastly-Debug) {
    set req.http.X-Debug = "1";
  }
  if (req.url.path ~ "^/api/") {
    if (!table.contains(api_keys, req.http.X-API-Key)) {
      error 401 "Unauthorized";
    }
    set req.http.X-Team = table.lookup(api_keys, req.http.X-API-Key);
    set req.backend = origin_pool;
  }
  if (req.url.ext ~ "(?i)^(jpg|png|gif)$") {
    set req.http.X-Static = "1";
  }
  if (client.geo.country_code == "JP") {
    set req.http.X-Region = "jp";
  } elseif (client.geo.continent_code == "EU") {
    set req.http.X-Region = "eu";
  } else {
    set req.http.X-Region = "other";
  }
  set req.http.X-Device = if(client.platform.mobile, "mobile", "desktop");
  if (req.url.path ~ "^/video/") {
    set req.enable_segmented_caching = true;
  }
  if (req.http.Authorization) {
    return(pass);
  }
  set req.http.X-Ts = strftime({"%Y-%m-%d"}, now);
  set req.http.X-Sig = digest.hmac_sha256("secret", req.url.path);
  set req.http.X-Hex = std.itoa(std.strlen(req.url));
  set req.http.X-Sub = substr(req.url, 0, 10);
  set req.http.X-Enc = urlencode(req.url.qs);
  set req.http.X-Id = randomstr(16, "0123456789abcdef");
  set req.http.X-Cookie-A = subfield(req.http.Cookie, "a", ";");
  set req.http.X-Q = querystring.get(req.url, "q");
  set req.url = querystring.remove(req.url);
  if (std.prefixof(req.url.path, "/old/")) {
    set req.url = regsuball(req.url, "^/old/", "/new/");
  }
  return(lookup);
}

sub vcl_hash {
  set req.hash += req.url;
  set req.hash += req.http.host;
  set req.hash += req.http.X-Region;
#FASTLY hash
  return(hash);
}

sub vcl_hit {
#FASTLY hit
  return(deliver);
}

sub vcl_miss {
#FASTLY miss
  unset bereq.http.X-API-Key;
  set bereq.http.X-Origin-Auth = "token";
  return(fetch);
}

sub vcl_pass {
#FASTLY pass
  unset bereq.http.X-API-Key;
  return(pass);
}

sub vcl_fetch {
#FASTLY fetch
  if (beresp.status == 404) {
    set beresp.ttl = 60s;
    set beresp.cacheable = true;
  }
  if (beresp.http.Content-Type ~ "^text/") {
    set beresp.gzip = true;
  }
  set beresp.http.X-Backend = beresp.backend.name;
  set beresp.grace = 1h;
  if (beresp.http.X-ESI) {
    set beresp.do_esi = true;
  }
  return(deliver);
}

sub vcl_error {
#FASTLY error
  if (obj.status == 401) {
    set obj.http.WWW-Authenticate = {"Bearer realm="api""};
    set obj.http.Content-Type = "application/json";
    synthetic {json"{"error":"unauthorized"}"json};
    return(deliver);
  }
  if (obj.status == 503 && req.restarts < 2) {
    restart;
  }
  synthetic.base64 "PGgxPkVycm9yPC9oMT4=";
  return(deliver);
}

sub vcl_deliver {
#FASTLY deliver
  if (resp.status >= 500 && req.restarts < 1 && req.method == "GET") {
    restart;
  }
  if (!req.http.X-Debug) {
    unset resp.http.X-Backend;
  }
  set resp.http.Server-Timing = "edge;dur=" time.elapsed.msec;
  set resp.http.X-Hits = obj.hits;
  if (fastly_info.state ~ "^HIT") {
    set resp.http.X-Cache-State = "hit";
  }
  if (resp.stale) {
    set resp.http.X-Stale = "1";
  }
  return(deliver);
}

sub vcl_log {
#FASTLY log
  log "syslog " req.service_id " my-endpoint :: " req.url " " resp.status;
}
`,
};

describe('VCL check: valid VCL passes', () => {
  it.each(Object.entries(CORPUS))('%s', (_name, content) => {
    expect(() => check(file('main', content))).not.toThrow();
  });

  // Derived from the folders: every service's VCL, with each account's overrides.
  const root = join(__dirname, '../..');
  const services = readdirSync(join(root, 'vcl'));
  it.each(services)('the repository VCL of %s', (service) => {
    const dir = join(root, 'vcl', service);
    const files = readdirSync(dir).filter((f) => f.endsWith('.vcl')).map((f) => ({ name: f.slice(0, -4), path: `vcl/${service}/${f}`, content: readFileSync(join(dir, f), 'utf8') }));
    expect(files.map((f) => f.name)).toContain('main');
    expect(() => check(...files)).not.toThrow();
  });
});
