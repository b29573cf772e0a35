// Live updates for the phone page, the display and the staff desk (shared/API.md §4),
// served at /static/live.js:
// - Live: one WebSocket that keeps itself connected, with backoff and jitter;
// - LiveFeed: what a screen needs on top of it: resume with ?since=<last seq>, snapshot
//   and event handling in seq order, polling over HTTP whenever the socket is not open
//   (and now and then while it is), and an offline signal when neither answers.

export class Live {
  /**
   * url: () => the ws(s):// address to connect to now (so `since` can follow the last seq)
   * onMessage: (message) => void, for each parsed JSON message
   * onState: ("connecting" | "open" | "closed" | "refused") => void
   * token: () => the bearer token, sent as the first message rather than in the URL,
   *   so it never lands in a server's access log
   */
  constructor({ url, onMessage, onState = () => {}, token = null, minDelay = 1000, maxDelay = 30000 }) {
    this.url = url;
    this.token = token;
    this.onMessage = onMessage;
    this.onState = onState;
    this.minDelay = minDelay;
    this.maxDelay = maxDelay;
    this.delay = minDelay;
    this.socket = null;
    this.timer = null;
    this.stopped = true;
    this.state = "closed";
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000);
    this.socket = null;
  }

  /** Reconnect now, e.g. when the page learns it has missed events. */
  restart() {
    clearTimeout(this.timer);
    if (this.socket) {
      const old = this.socket;
      this.socket = null;
      old.close(1000);
    }
    if (!this.stopped) this.connect();
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }

  connect() {
    if (this.stopped || this.socket) return;
    let socket;
    try {
      socket = new WebSocket(this.url());
    } catch {
      this.retry(false);
      return;
    }
    this.socket = socket;
    let opened = false;
    let openedAt = 0;
    this.setState("connecting");
    socket.addEventListener("open", () => {
      if (this.token) socket.send(JSON.stringify({ token: this.token() }));
      opened = true;
      openedAt = Date.now();
      this.setState("open");
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return; // replaced by restart()
      this.socket = null;
      // 1008: refused (token, origin). A long-lived connection resets the backoff.
      const refused = event.code === 1008 || event.code === 4401 || event.code === 4403;
      if (opened && Date.now() - openedAt > 10000) this.delay = this.minDelay;
      this.setState(refused ? "refused" : "closed");
      this.retry(refused);
    });
  }

  retry(refused) {
    if (this.stopped) return;
    const base = refused ? Math.max(this.delay, 60000) : this.delay;
    const wait = base / 2 + Math.random() * (base / 2);
    this.delay = Math.min(this.delay * 2, this.maxDelay);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), wait);
  }
}

/** ws:// or wss:// for a path on this server. */
export function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/**
 * A screen's live state: a Live socket plus HTTP polling, so the screen stays right
 * when the socket cannot open (proxies, old browsers) and says so when nothing answers.
 *
 * path: the socket's path ("/ws/…"); `?since=<seq>` is added once a seq is known, so a
 *   reconnect gets only what it missed (or a fresh snapshot, the server decides).
 * token: () => bearer token sent as the first message (display, staff), or null.
 * poll: async () => load the full state over HTTP; throws (e.g. ApiError) on failure.
 * onSnapshot(message): a "snapshot" message; default: poll soon (the page reads its state).
 * onEvent(message): an event newer than anything seen; default: poll soon.
 * onState(state): the socket's "connecting" | "open" | "closed" | "refused".
 * onOffline(offline): true once the socket is not open and `offlineAfter` polls in a row
 *   failed; false again as soon as either answers.
 * pollEvery: ms between polls while the socket is not open.
 * pollEveryLive: ms between polls while it is open (a safety net), or 0 for never.
 * refreshDelay: ms an event waits before the poll it triggers (bursts become one poll).
 */
export class LiveFeed {
  constructor({
    path,
    token = null,
    poll,
    onSnapshot = null,
    onEvent = null,
    onState = () => {},
    onOffline = () => {},
    pollEvery = 5000,
    pollEveryLive = 60000,
    refreshDelay = 200,
    offlineAfter = 1,
    maxDelay = 30000,
  }) {
    this.path = path;
    this.pollFn = poll;
    this.onSnapshot = onSnapshot;
    this.onEvent = onEvent;
    this.onStateChange = onState;
    this.onOffline = onOffline;
    this.pollEvery = pollEvery;
    this.pollEveryLive = pollEveryLive;
    this.refreshDelay = refreshDelay;
    this.offlineAfter = offlineAfter;
    this.seq = 0;
    this.failures = 0;
    this.offline = false;
    this.stopped = true;
    this.pollTimer = null;
    this.refreshTimer = null;
    this.live = new Live({
      url: () => wsUrl(this.seq > 0 ? `${path}${path.includes("?") ? "&" : "?"}since=${this.seq}` : path),
      token,
      maxDelay,
      onMessage: (message) => this.receive(message),
      onState: (state) => {
        this.onStateChange(state);
        this.updateOffline();
        this.schedulePoll(); // the interval depends on whether the socket is open
      },
    });
  }

  /** The socket's state ("connecting" | "open" | "closed" | "refused"). */
  get state() {
    return this.live.state;
  }

  /**
   * Connect; unless told otherwise, also poll at once, so the screen fills before the
   * socket opens (pollNow: false when the page has just loaded its state itself).
   */
  start({ pollNow = true } = {}) {
    this.stopped = false;
    this.live.start();
    if (pollNow) this.refresh(0);
    else this.schedulePoll();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearTimeout(this.refreshTimer);
    this.live.stop();
  }

  /** The page's state now reflects `seq` (e.g. an HTTP snapshot): resume after it. */
  advance(seq) {
    if (typeof seq === "number" && seq > this.seq) this.seq = seq;
  }

  /** Start counting again (a new day: seqs restart at 1). */
  reset(seq = 0) {
    this.seq = typeof seq === "number" ? seq : 0;
  }

  /** Poll after `delay` ms; calls within the delay become one poll. */
  refresh(delay = this.refreshDelay) {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.pollNow(), delay);
  }

  receive(message) {
    if (!message || typeof message !== "object") return;
    if (message.type === "pong") return;
    if (message.type === "snapshot") {
      // A snapshot is the whole state at its seq: it replaces what came before,
      // also a higher seq of an earlier day.
      this.reset(message.seq);
      if (this.onSnapshot) this.onSnapshot(message);
      else this.refresh();
      return;
    }
    if (typeof message.seq === "number") {
      if (message.seq <= this.seq) return; // seen already (a resumed connection)
      this.seq = message.seq;
    }
    if (this.onEvent) this.onEvent(message);
    else this.refresh();
  }

  async pollNow() {
    if (this.stopped) return;
    clearTimeout(this.refreshTimer);
    try {
      await this.pollFn();
      this.failures = 0;
    } catch {
      this.failures += 1;
    }
    this.updateOffline();
    this.schedulePoll();
  }

  schedulePoll() {
    clearTimeout(this.pollTimer);
    if (this.stopped) return;
    const every = this.live.state === "open" ? this.pollEveryLive : this.pollEvery;
    if (every > 0) this.pollTimer = setTimeout(() => this.pollNow(), every);
  }

  updateOffline() {
    const offline = this.live.state !== "open" && this.failures >= this.offlineAfter;
    if (offline === this.offline) return;
    this.offline = offline;
    this.onOffline(offline);
  }
}
