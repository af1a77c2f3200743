# Request normalisation: one cache object per page, whatever tracking the link carried.
sub hotel_normalize {
  # Campaign parameters never change the page.
  set req.url = querystring.regfilter(req.url, "^(utm_|gclid$|fbclid$)");
  set req.url = querystring.sort(req.url);
  # Only the language cookie changes what the origin renders for a guest.
  if (req.http.Accept-Language ~ "^ja") {
    set req.http.X-Lang = "ja";
  } else {
    set req.http.X-Lang = "en";
  }
}
