/**
 * Runs waiting for a slot, first in first out: run ids only, each with its folder and run.json already written,
 * so the list alone could be saved and reloaded.
 */
export class RunQueue {
  private readonly ids: string[] = [];
  get length(): number {
    return this.ids.length;
  }
  add(id: string): number {
    this.ids.push(id);
    return this.ids.length;
  }
  /** 1-based; undefined when not queued. */
  position(id: string): number | undefined {
    const i = this.ids.indexOf(id);
    return i < 0 ? undefined : i + 1;
  }
  remove(id: string): boolean {
    const i = this.ids.indexOf(id);
    if (i >= 0) this.ids.splice(i, 1);
    return i >= 0;
  }
  next(): string | undefined {
    return this.ids.shift();
  }
  list(): readonly string[] {
    return this.ids;
  }
}
