/**
 * A bounded queue between one producer and several consumers: `put` waits while it is full (so a
 * fast reader never holds more than `capacity` items in memory), consumers iterate until `close`.
 * Closing with an error ends the producer's waits too: a consumer that failed never leaves the
 * producer stuck.
 */
export class Channel<T> {
  private readonly items: T[] = []
  private closed = false
  private failure: unknown = null
  private readonly waitingTakers: (() => void)[] = []
  private readonly waitingPutters: (() => void)[] = []

  constructor(private readonly capacity: number) {}

  /** Resolves once the item is queued; throws when the channel was closed with an error. */
  async put(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((resolve) => this.waitingPutters.push(resolve))
    if (this.failure) throw this.failure
    if (this.closed) throw new Error('put on a closed channel')
    this.items.push(item)
    this.waitingTakers.shift()?.()
  }

  /** No more items: consumers finish what is queued. With an error: everyone stops now. */
  close(failure?: unknown): void {
    if (failure && !this.failure) {
      this.failure = failure
      this.items.length = 0
    }
    this.closed = true
    for (const wake of this.waitingTakers.splice(0)) wake()
    for (const wake of this.waitingPutters.splice(0)) wake()
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift()
      if (item !== undefined) {
        this.waitingPutters.shift()?.()
        yield item
        continue
      }
      if (this.closed) return
      await new Promise<void>((resolve) => this.waitingTakers.push(resolve))
    }
  }
}
