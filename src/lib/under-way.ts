/** Work started and not finished yet, so that a shutdown can give it a moment to end before closing what it uses. */
export class UnderWay {
  private readonly pending = new Set<Promise<unknown>>();

  get size(): number {
    return this.pending.size;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const forget = () => this.pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Waits until everything tracked has settled, or `graceMs` have passed; returns how much was still under way. */
  async settle(graceMs: number): Promise<number> {
    if (this.pending.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled([...this.pending]), grace]);
    clearTimeout(timer);
    return this.pending.size;
  }
}
