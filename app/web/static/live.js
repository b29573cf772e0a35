// A WebSocket that keeps itself connected (shared/API.md §4), with backoff and jitter.
// Served at /static/live.js to the kiosk's phone page, the display and the staff desk.

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
