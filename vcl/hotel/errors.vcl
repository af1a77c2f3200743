# The page a guest sees when every origin is down and nothing stale is left.
# Called from vcl_error, which returns deliver after it: a custom subroutine returns no state.
sub hotel_error_page {
  if (obj.status >= 500 && obj.status < 600) {
    set obj.http.Content-Type = "text/html; charset=utf-8";
    set obj.http.Cache-Control = "no-store";
    synthetic {"<!doctype html><html lang="ja"><head><title>Maintenance</title></head><body><h1>ただいまメンテナンス中です</h1><p>Please try again in a few minutes.</p></body></html>"};
  }
}
