/**
 * A background loop that runs one pass after another: at once while a pass says there may be more to do or
 * wake() was called since the pass began, otherwise after an interval. A wake() of a waiting loop may be
 * held `gatherMs`, so that the work announced meanwhile shares one pass. stop() wakes a waiting loop and
 * resolves after the pass in progress, if any.
 */
export class PollingLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private interrupt: (() => void) | undefined;
  private woken = false;
  private gathering: NodeJS.Timeout | undefined;

  /**
   * @param pass one pass; resolves true when the next pass should start at once.
   * @param intervalMs how long to wait before the next pass otherwise (and after a pass that threw).
   * @param onError told of a pass that threw; the loop goes on.
   * @param gatherMs how long a wake() of a waiting loop is held before the pass starts (0: at once).
   */
  constructor(
    private readonly pass: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly gatherMs = 0,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.gathering);
    this.gathering = undefined;
    this.interrupt?.();
    await this.loop;
  }

  /**
   * Runs the next pass now instead of after the interval, or, if a pass is running, right after it: there
   * is new work that pass may have started too early to see.
   */
  wake(): void {
    this.woken = true;
    if (this.gatherMs === 0) {
      this.interrupt?.();
      return;
    }
    // A running pass is followed by another at once anyway (it sees `woken`); only a waiting loop gathers.
    if (this.interrupt === undefined || this.gathering !== undefined) return;
    this.gathering = setTimeout(() => {
      this.gathering = undefined;
      this.interrupt?.();
    }, this.gatherMs);
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let more = false;
      try {
        more = await this.pass();
      } catch (error) {
        this.onError(error);
      }
      // stop() and wake() may change `running` and `woken` while the pass is awaited, but TypeScript keeps
      // their narrowing from before the await and so takes these conditions for constant.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see the two lines above
      if (more || this.woken || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        this.interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.interrupt = undefined;
      clearTimeout(this.gathering);
      this.gathering = undefined;
    }
  }
}
