/**
 * A background loop that runs one pass after another: at once while a pass says there may be more to do,
 * otherwise after an interval. stop() wakes a waiting loop and resolves after the pass in progress, if any.
 */
export class PollingLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  /**
   * @param pass one pass; resolves true when the next pass should start at once.
   * @param intervalMs how long to wait before the next pass otherwise (and after a pass that threw).
   * @param onError told of a pass that threw; the loop goes on.
   */
  constructor(
    private readonly pass: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await this.pass();
      } catch (error) {
        this.onError(error);
      }
      // stop() may clear `running` while the pass is awaited, but TypeScript keeps the loop condition's
      // narrowing (`running` is true) across the await and so takes `!this.running` for always false.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see the two lines above
      if (more || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
