// The server's clock on this page: the offset estimated from ping/pong samples, the
// server's "now", and the draw loop every countdown is painted in.

const SAMPLE_WINDOW_MS = 120000;
const CLOCK_JUMP_MS = 1000;

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
    if (rtt < 0) return;
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
      draw(serverNow());
    } finally {
      requestAnimationFrame(step);
    }
  };
  requestAnimationFrame(step);
}
