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

// Where the kiosk and the display keep their setup (kiosk/app.js, display/display.js).
export const DEVICE_STORES = {
  kiosk: { token: "wc.kiosk.token", center: "wc.kiosk.center" },
  display: { token: "wc.display.token", center: "wc.display.center" },
};

/** A paired device's token and center, kept where its page will look (/pair/). */
export function keepDevice(kind, slug, token) {
  const store = DEVICE_STORES[kind];
  if (!store) return;
  try {
    localStorage.setItem(store.center, slug);
    localStorage.setItem(store.token, token);
  } catch {
    /* storage off: the page cannot keep it; pairing again is the way */
  }
}
