// The server's clock on this page: the offset estimated from ping/pong samples, the
// server's "now", and the draw loop every countdown is painted in.

const SAMPLE_WINDOW_MS = 120000;
const CLOCK_JUMP_MS = 1000;
// Longer than this between two looks at the clock (each frame, and the socket's 500 ms watchdog)
// means the page was frozen or its clock jumped (a laptop that slept): measure again at once.
const LOOK_GAP_MS = 2000;

// The browser's wall clock is read exactly once, to anchor the monotonic clock;
// from then on client time is performance.now() plus that anchor, so neither a
// wrong system clock nor a change to it while the page is open moves a countdown.
const wallAnchor = Date.now() - performance.now();

/** Client time in epoch-like milliseconds, from the monotonic clock. */
export function clientNow() {
  return wallAnchor + performance.now();
}

/** Offset of the server's clock from this page's clock, from ping/pong samples. */
export class ServerClock {
  constructor() {
    this.offset = 0;
    this.rtt = Infinity;
    this.samples = [];
    this.synced = false;
    this.lastLook = null;
    this.lastWallGap = null;
    this.jumpedAt = -Infinity;
    this.jumpListeners = [];
  }

  /** Call `listener()` whenever `look()` finds that this page's clock jumped. */
  onJump(listener) {
    this.jumpListeners.push(listener);
  }

  /**
   * Look at the clocks: true if the monotonic clock moved far more than since the last look
   * (the page was frozen, or its clock jumped forward) or the wall clock moved against it (a
   * sleep the monotonic clock did not count, or a change of the system time). The samples
   * taken before then are forgotten (the next one sets the offset) and the listeners called,
   * so a screen measures its offset again at once instead of at the next resync.
   */
  look(now = clientNow(), wall = Date.now()) {
    const wallGap = wall - now;
    const jumped =
      this.lastLook !== null && (now - this.lastLook > LOOK_GAP_MS || now < this.lastLook || Math.abs(wallGap - this.lastWallGap) > CLOCK_JUMP_MS);
    this.lastLook = now;
    this.lastWallGap = wallGap;
    if (!jumped) return false;
    this.samples = [];
    this.jumpedAt = now;
    for (const listener of this.jumpListeners) listener();
    return true;
  }

  /** Forget every sample (a new connection) and take a first rough offset from a server time. */
  seed(serverTime) {
    this.samples = [];
    this.synced = false;
    this.rtt = Infinity;
    this.offset = serverTime - clientNow();
  }

  /**
   * Add one ping/pong sample: t0 sent and t3 received on the client clock,
   * t1 received and t2 sent on the server clock. The sample with the lowest
   * round trip among the recent ones gives the offset.
   */
  sample(t0, t1, t2, t3) {
    const rtt = t3 - t0 - (t2 - t1);
    const offset = (t1 - t0 + (t2 - t3)) / 2;
    if (rtt < 0 || t0 < this.jumpedAt) return; // a ping sent before a jump measures nothing
    if (this.synced && Math.abs(offset - this.offset) > CLOCK_JUMP_MS + rtt + this.rtt) {
      // One of the two clocks jumped (a suspended laptop, a server clock step): old samples lie.
      this.samples = [];
    }
    this.samples.push({ at: t3, rtt, offset });
    const cutoff = t3 - SAMPLE_WINDOW_MS;
    this.samples = this.samples.filter((s) => s.at >= cutoff);
    let best = this.samples[0];
    for (const s of this.samples) if (s.rtt <= best.rtt) best = s;
    this.offset = best.offset;
    this.rtt = best.rtt;
    this.synced = true;
  }

  /** The server's wall clock now, in epoch milliseconds. */
  now() {
    return clientNow() + this.offset;
  }
}

/** The page's one server clock, shared by every module that imports this one. */
export const clock = new ServerClock();

/** The server's wall clock now (epoch ms), estimated on this page. */
export function serverNow() {
  return clock.now();
}

/** Call `draw(serverNow)` on every animation frame until the page goes away. */
export function everyFrame(draw) {
  const step = () => {
    try {
      clock.look();
      draw(serverNow());
    } finally {
      requestAnimationFrame(step);
    }
  };
  requestAnimationFrame(step);
}
