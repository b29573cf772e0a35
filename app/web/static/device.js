// A kiosk or display is set up once by its URL (?center=<slug>&token=<device token>):
// both are kept in localStorage, so a reload or a power cut needs no one to retype them.

export function deviceSetup(store) {
  const params = new URLSearchParams(location.search);
  let slug = params.get("center");
  let token = params.get("token");
  try {
    if (slug) localStorage.setItem(store.center, slug);
    else slug = localStorage.getItem(store.center);
    if (token) localStorage.setItem(store.token, token);
    else token = localStorage.getItem(store.token);
  } catch {
    /* storage may be off: the URL still works for this page view */
  }
  if (params.has("token")) {
    // The device token is a credential: keep it out of the visible address.
    params.delete("token");
    if (!params.has("center") && slug) params.set("center", slug);
    const query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? `?${query}` : "") + location.hash);
  }
  return { slug, token, params };
}
