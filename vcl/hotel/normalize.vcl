# Request normalisation: one cache object per page, whatever tracking the link carried.
sub hotel_normalize {
  # Campaign parameters never change the page.
  set req.url = querystring.regfilter(req.url, "^(utm_|gclid$|fbclid$)");
  set req.url = querystring.sort(req.url);
  # The language changes what the origin renders: normalized to X-Lang, which vcl_hash keys on.
  if (req.http.Accept-Language ~ "^ja") {
    set req.http.X-Lang = "ja";
  } else {
    set req.http.X-Lang = "en";
  }
  # The origin picks the language from Accept-Language: it gets the normalized value, so a
  # page is always rendered in the language its cache key names (a visitor asking for "fr"
  # must not fill the "en" object with a French page), and a "Vary: Accept-Language" from
  # the origin splits the cache in two, not once per browser's header.
  set req.http.Accept-Language = req.http.X-Lang;
}
