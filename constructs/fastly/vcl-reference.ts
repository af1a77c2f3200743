/**
 * What the VCL checker knows about Fastly VCL, from Fastly's reference:
 * - subroutines and their return states: https://www.fastly.com/documentation/reference/vcl/subroutines/
 *   (each page lists "return states"), and the request lifecycle:
 *   https://www.fastly.com/documentation/guides/vcl/using/#the-vcl-request-lifecycle
 * - statements (`error`, `synthetic`, `restart`, `esi`...) and where they may appear:
 *   https://www.fastly.com/documentation/reference/vcl/statements/
 * - variables, their scopes ("Available in") and writability ("can be read / set"):
 *   https://www.fastly.com/documentation/reference/vcl/variables/
 * - functions and their arguments: https://www.fastly.com/documentation/reference/vcl/functions/
 *
 * Not the whole language: the functions the repository uses plus the common ones. An
 * unknown function is an error, so a function missing here is added here (with its arity
 * from its reference page) rather than waved through.
 */

/** The subroutines Fastly calls, each with the `#FASTLY <name>` macro the main VCL must keep. */
export const FASTLY_SUBROUTINES = ['vcl_recv', 'vcl_hash', 'vcl_hit', 'vcl_miss', 'vcl_pass', 'vcl_fetch', 'vcl_error', 'vcl_deliver', 'vcl_log'] as const;
export type FastlySubroutine = (typeof FASTLY_SUBROUTINES)[number];

/** `return(<state>)` allowed in each subroutine (and in custom subroutines it calls). */
export const RETURN_STATES: Readonly<Record<FastlySubroutine, readonly string[]>> = {
  vcl_recv: ['lookup', 'pass', 'error', 'restart', 'upgrade'],
  vcl_hash: ['hash'],
  vcl_hit: ['deliver', 'pass', 'error', 'restart'],
  vcl_miss: ['fetch', 'pass', 'deliver_stale', 'error'],
  vcl_pass: ['pass', 'error'],
  vcl_fetch: ['deliver', 'deliver_stale', 'pass', 'hit_for_pass', 'error', 'restart'],
  vcl_error: ['deliver', 'deliver_stale', 'restart'],
  vcl_deliver: ['deliver', 'restart'],
  vcl_log: ['deliver'],
};

/** Statements allowed only in some subroutines. */
export const STATEMENT_SCOPES: Readonly<Record<string, readonly FastlySubroutine[]>> = {
  // "error" hands over to vcl_error: not from vcl_error itself, nor after the response exists.
  error: ['vcl_recv', 'vcl_hit', 'vcl_miss', 'vcl_pass', 'vcl_fetch'],
  synthetic: ['vcl_error'],
  'synthetic.base64': ['vcl_error'],
  restart: ['vcl_recv', 'vcl_hit', 'vcl_fetch', 'vcl_error', 'vcl_deliver'],
  esi: ['vcl_fetch'],
};

/**
 * Variables (exact names) and families (ending in `.`) and the subroutines they exist in.
 * An exact name wins over a family, a longer family over a shorter one. Families not listed
 * (req.*, client.*, server.*, time.*, fastly.*, math constants...) are available everywhere.
 */
export const VARIABLE_SCOPES: ReadonlyArray<readonly [prefix: string, scopes: readonly FastlySubroutine[]]> = [
  ['req.hash', ['vcl_hash']],
  ['bereq.', ['vcl_miss', 'vcl_pass', 'vcl_fetch']],
  ['beresp.', ['vcl_fetch']],
  ['obj.', ['vcl_hit', 'vcl_error', 'vcl_deliver', 'vcl_log']],
  ['resp.', ['vcl_deliver', 'vcl_log']],
];

/**
 * The namespaces of Fastly's variables (the sections of
 * https://www.fastly.com/documentation/reference/vcl/variables/): a dotted name under any
 * other root is a typo (`rq.http.X`, `berespp.ttl`), which Fastly refuses when it compiles
 * the version. Names declared in the service (`ratecounter` names...) are not looked up here.
 */
export const VARIABLE_ROOTS: readonly string[] = [
  'backend', 'bereq', 'beresp', 'client', 'esi', 'fastly', 'fastly_info', 'geoip', 'math', 'now', 'obj', 'quic', 'ratecounter',
  'req', 'resp', 'segmented_caching', 'server', 'stale', 'time', 'tls', 'transport', 'var', 'waf', 'workspace',
];

/**
 * The second part of the names under the request and response objects, from the same
 * reference (`req.http.*` and `req.url.path` are `http` and `url`): `beresp.tll` or
 * `req.htpp.Host` would fail the version's compilation. A variable Fastly adds is added
 * here, with its reference page, rather than waved through.
 */
export const OBJECT_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  req: [
    'backend', 'body', 'body_bytes_read', 'bytes_read', 'customer_id', 'digest', 'enable_range_on_pass', 'enable_segmented_caching', 'esi',
    'esi_level', 'grace', 'hash', 'hash_always_miss', 'hash_ignore_busy', 'header_bytes_read', 'http', 'is_background_fetch', 'is_clustering',
    'is_esi_subreq', 'is_ipv6', 'is_purge', 'is_ssl', 'max_stale_if_error', 'max_stale_while_revalidate', 'method', 'postbody', 'proto',
    'protocol', 'request', 'restarts', 'service_id', 'topurl', 'url', 'vcl', 'xid',
  ],
  bereq: [
    'between_bytes_timeout', 'body_bytes_written', 'bytes_written', 'connect_timeout', 'first_byte_timeout', 'header_bytes_written', 'http',
    'is_clustering', 'max_reuse_idle_time', 'method', 'proto', 'request', 'url',
  ],
  beresp: [
    'backend', 'brotli', 'cacheable', 'do_esi', 'do_stream', 'grace', 'gzip', 'handshake_time_to_origin_ms', 'hipaa', 'http', 'pci', 'proto',
    'response', 'saintmode', 'stale_if_error', 'stale_while_revalidate', 'status', 'ttl', 'used_alternate_path_to_origin',
  ],
  resp: ['body_bytes_written', 'bytes_written', 'completed', 'header_bytes_written', 'http', 'is_locally_generated', 'proto', 'response', 'stale', 'status'],
  obj: ['age', 'cacheable', 'entered', 'grace', 'hits', 'http', 'is_pci', 'lastuse', 'proto', 'response', 'stale_if_error', 'stale_while_revalidate', 'status', 'ttl'],
};

/** Variables (or families, ending in `.`) that can be read but never set, added or unset. */
export const READ_ONLY_VARIABLES: readonly string[] = [
  // Not all of client.*: client.identity (for the client director) and client.geo.ip_override are writable.
  'client.ip',
  'client.port',
  'client.requests',
  'client.as.',
  'client.bot.',
  'client.browser.',
  'client.class.',
  'client.display.',
  'client.os.',
  'client.platform.',
  'server.',
  'fastly_info.',
  'fastly.ff.',
  'tls.client.',
  'time.',
  'stale.exists',
  'req.is_ssl',
  'req.is_ipv6',
  'req.protocol',
  'req.digest',
  'req.restarts',
  'req.topurl',
  'req.url.path',
  'req.url.qs',
  'req.url.basename',
  'req.url.dirname',
  'req.url.ext',
  'req.body',
  'req.bytes_read',
  'req.header_bytes_read',
  'obj.hits',
  'obj.lastuse',
  'obj.is_pci',
  'beresp.backend.',
];

/** Functions: [least, most] arguments (`Infinity` for variadic). */
export const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  // Conditional expression: if(condition, when true, when false).
  if: [3, 3],
  'querystring.regfilter': [2, 2],
  'querystring.regfilter_except': [2, 2],
  'querystring.filter': [2, 2],
  'querystring.filter_except': [2, 2],
  'querystring.globfilter': [2, 2],
  'querystring.globfilter_except': [2, 2],
  'querystring.filtersep': [0, 0],
  'querystring.sort': [1, 1],
  'querystring.get': [2, 2],
  'querystring.set': [3, 3],
  'querystring.add': [3, 3],
  'querystring.remove': [1, 1],
  'querystring.clean': [1, 1],
  'uuid.version4': [0, 0],
  'uuid.version7': [0, 0],
  'uuid.version3': [2, 2],
  'uuid.version5': [2, 2],
  'uuid.is_valid': [1, 1],
  randombool: [2, 2],
  randombool_seeded: [3, 3],
  randomint: [2, 2],
  randomint_seeded: [3, 3],
  randomstr: [1, 2],
  'std.itoa': [1, 2],
  'std.atoi': [1, 1],
  'std.atof': [1, 1],
  'std.strtol': [2, 2],
  'std.strlen': [1, 1],
  'std.tolower': [1, 1],
  'std.toupper': [1, 1],
  'std.strstr': [2, 2],
  'std.prefixof': [2, 2],
  'std.suffixof': [2, 2],
  'std.replace': [3, 3],
  'std.replaceall': [3, 3],
  'std.replace_prefix': [3, 3],
  'std.replace_suffix': [3, 3],
  'std.strrev': [1, 1],
  'std.strpad': [3, 3],
  'std.strrep': [2, 2],
  'std.str2ip': [2, 2],
  'std.anystr2ip': [2, 2],
  'std.ip': [2, 2],
  'std.ip2str': [1, 1],
  'std.integer2time': [1, 1],
  'std.time': [2, 2],
  'std.collect': [1, 2],
  'std.count': [1, 1],
  'std.basename': [1, 1],
  'std.dirname': [1, 1],
  'json.escape': [1, 1],
  strftime: [2, 2],
  regsub: [3, 3],
  regsuball: [3, 3],
  substr: [2, 3],
  'utf8.substr': [2, 3],
  'utf8.strlen': [1, 1],
  'utf8.is_valid': [1, 1],
  urlencode: [1, 1],
  urldecode: [1, 1],
  cstr_escape: [1, 1],
  subfield: [2, 3],
  'digest.hash_md5': [1, 1],
  'digest.hash_sha1': [1, 1],
  'digest.hash_sha256': [1, 1],
  'digest.hash_sha512': [1, 1],
  'digest.hmac_sha256': [2, 2],
  'digest.hmac_sha256_base64': [2, 2],
  'digest.hmac_sha1': [2, 2],
  'digest.base64': [1, 1],
  'digest.base64_decode': [1, 1],
  'digest.base64url': [1, 1],
  'digest.base64url_decode': [1, 1],
  'digest.base64url_nopad': [1, 1],
  'digest.secure_is_equal': [2, 2],
  'header.get': [2, 2],
  'header.set': [3, 3],
  'header.unset': [2, 2],
  'header.filter': [2, Infinity],
  'header.filter_except': [2, Infinity],
  'table.lookup': [2, 3],
  'table.contains': [2, 2],
  'table.lookup_bool': [3, 3],
  'table.lookup_integer': [3, 3],
  'table.lookup_float': [3, 3],
  'table.lookup_rtime': [3, 3],
  'table.lookup_ip': [3, 3],
  'table.lookup_backend': [3, 3],
  'table.lookup_acl': [3, 3],
  'time.add': [2, 2],
  'time.sub': [2, 2],
  'time.is_after': [2, 2],
  'time.hex_to_time': [2, 2],
  'time.units': [2, 2],
  'math.round': [1, 1],
  'math.floor': [1, 1],
  'math.ceil': [1, 1],
  'addr.is_ipv4': [1, 1],
  'addr.is_ipv6': [1, 1],
  'addr.extract_bits': [3, 3],
  http_status_matches: [2, 2],
  'setcookie.get_value_by_name': [2, 2],
  'setcookie.delete_by_name': [2, 2],
  'accept.language_lookup': [3, 3],
  'accept.charset_lookup': [3, 3],
  'accept.encoding_lookup': [3, 3],
  'accept.media_lookup': [4, 4],
  'fastly.hash': [4, 4],
  'fastly.try_select_shield': [2, 2],
  'h2.push': [1, 2],
  'resp.tarpit': [1, 2],
  'ratelimit.check_rate': [7, 7],
  'ratelimit.check_rates': [9, 9],
  'ratelimit.penaltybox_add': [3, 3],
  'ratelimit.penaltybox_has': [2, 2],
  'ratelimit.ratecounter_increment': [3, 3],
  'bin.base64_to_hex': [1, 1],
  'bin.hex_to_base64': [1, 1],
  parse_time_delta: [1, 1],
};

/** Director types (https://www.fastly.com/documentation/reference/vcl/declarations/director/). */
export const DIRECTOR_TYPES = ['random', 'hash', 'client', 'fallback', 'chash'] as const;
