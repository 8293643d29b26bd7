/** Steps per second as step events report them (the engine's and the exported trainer's). */
export class StepRate {
  private start = performance.now();
  private steps = 0;
  private rate = 0;

  /** Count one step and return the rate, measured over windows of about a second (`last` closes the window). */
  tick(last = false): number {
    this.steps++;
    const now = performance.now();
    if (now - this.start > 1000 || last) {
      this.rate = (this.steps * 1000) / Math.max(1, now - this.start);
      this.start = now;
      this.steps = 0;
    }
    return this.rate;
  }

  /** Start a new window (after a pause, which is not training time). */
  restart(): void {
    this.start = performance.now();
    this.steps = 0;
  }
}
