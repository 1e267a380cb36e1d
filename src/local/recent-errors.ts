/**
 * The last delivery errors the gateway saw (for the console's overview): code, status, message,
 * subscription and time, newest first, at most a few dozen kept.
 */
export interface RecentError {
  time: string
  subscription: string
  status: number
  code: string
  message: string
  /** Whether the event went to the dead-letter topic. */
  deadLettered: boolean
}

export const RECENT_ERRORS_MAX = 50

export class RecentErrors {
  private readonly entries: RecentError[] = []

  add(entry: Omit<RecentError, 'time'>): void {
    this.entries.unshift({ time: new Date().toISOString(), ...entry, message: entry.message.slice(0, 500) })
    if (this.entries.length > RECENT_ERRORS_MAX) this.entries.length = RECENT_ERRORS_MAX
  }

  list(): RecentError[] {
    return [...this.entries]
  }
}
