# Main VCL of the hotel site.
#
# Fastly inserts its generated code at each "#FASTLY <name>" macro: backends and their
# routing conditions, request settings, and the snippets the construct adds from each
# account's config (request id, feature and host routes, stale serving with the account's
# stale-if-error and stale-while-revalidate times, HSTS). This file is the same for every
# account: per-account values live in accounts/<name>/index.ts. Keep every macro; the synth
# check refuses a subroutine without it.

include "normalize";
include "errors";

sub vcl_recv {
#FASTLY recv
  call hotel_normalize;
  if (req.method != "GET" && req.method != "HEAD" && req.method != "FASTLYPURGE") {
    return(pass);
  }
  # Signed-in pages are personal: never cached.
  if (req.http.Cookie:session) {
    return(pass);
  }
  return(lookup);
}

sub vcl_hash {
  set req.hash += req.url;
  set req.hash += req.http.host;
  # The origin renders per language: each language is its own cache object.
  set req.hash += req.http.X-Lang;
#FASTLY hash
  return(hash);
}

sub vcl_hit {
#FASTLY hit
  return(deliver);
}

sub vcl_miss {
#FASTLY miss
  return(fetch);
}

sub vcl_pass {
#FASTLY pass
  return(pass);
}

sub vcl_fetch {
#FASTLY fetch
  if (beresp.http.Set-Cookie) {
    set beresp.ttl = 0s;
    return(pass);
  }
  return(deliver);
}

sub vcl_error {
#FASTLY error
  call hotel_error_page;
  return(deliver);
}

sub vcl_deliver {
#FASTLY deliver
  unset resp.http.Server;
  unset resp.http.X-Powered-By;
  unset resp.http.X-AspNet-Version;
  return(deliver);
}

sub vcl_log {
#FASTLY log
}
