// Writes of the rating screen (values, undo, rationale and flags) go through one queue, so
// events reach the store in the order the rater gave them, one at a time. Each write returns the
// rater's progress after it (counted in core), so the last answer is the current progress.

import { api, errorText, type SavedRating } from "../api";
import { probe } from "../testing/probe";

export class SaveQueue {
  private chain: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** True while a write is queued or running. */
  get busy(): boolean {
    return this.waiting > 0;
  }

  /** Runs `work` after every write queued before it (failed ones included). */
  run<T>(work: () => Promise<T>): Promise<T> {
    this.waiting++;
    const next = this.chain.catch(() => undefined).then(work);
    this.chain = next;
    const done = () => {
      this.waiting--;
    };
    next.then(done, done);
    return next;
  }

  /** Resolves when every write queued so far has finished (failed or not). */
  async settled(): Promise<void> {
    await this.chain.catch(() => undefined);
  }
}

export type SaveState = "saving" | "saved" | "error";

/**
 * The values of one shown response: what the screen shows (ahead of the store while a save is
 * in flight), what the store has confirmed, and each attribute's save state. A newly loaded
 * response gets a new instance, so a late answer for an earlier response changes nothing shown.
 */
export class ResponseValues {
  readonly responseId: string;
  private readonly shown: Record<string, number | null>;
  private readonly saved: Record<string, number>;
  private readonly states = new Map<string, SaveState>();
  private readonly errors = new Map<string, string>();

  constructor(responseId: string, values: Record<string, number>) {
    this.responseId = responseId;
    this.saved = { ...values };
    this.shown = { ...values };
    for (const key of Object.keys(values)) this.states.set(key, "saved");
  }

  value(key: string): number | null {
    return this.shown[key] ?? null;
  }

  state(key: string): SaveState | undefined {
    return this.states.get(key);
  }

  error(key: string): string | undefined {
    return this.errors.get(key);
  }

  /** The first failed save's message, if any save failed. */
  get firstError(): string | undefined {
    return this.errors.values().next().value;
  }

  /**
   * Shows `value` at once and saves it through `queue`; resolves to what the store recorded
   * (with the progress after it), or rejects with the message (the shown value falls back to
   * the stored one). Null when nothing changes.
   */
  save(queue: SaveQueue, key: string, value: number | null): Promise<SavedRating> | null {
    if ((this.shown[key] ?? null) === value && this.states.get(key) !== "error") return null;
    this.shown[key] = value;
    this.states.set(key, "saving");
    this.errors.delete(key);
    const started = performance.now();
    return queue
      .run(async () => {
        const sent = performance.now();
        const result = await api.setRating(this.responseId, key, value);
        probe?.saveLatenciesMs.push(performance.now() - sent);
        return result;
      })
      .then(
        (result) => {
          probe?.keyToSavedMs.push(performance.now() - started);
          if (result.value === null) delete this.saved[key];
          else this.saved[key] = result.value;
          this.states.set(key, "saved");
          return result;
        },
        (err) => {
          const message = errorText(err);
          probe?.failedSaves.push(message);
          this.states.set(key, "error");
          this.errors.set(key, message);
          this.shown[key] = this.saved[key] ?? null;
          throw message;
        },
      );
  }

  /** Records the value an undo restored in the store. */
  restored(key: string, value: number | null): void {
    if (value === null) delete this.saved[key];
    else this.saved[key] = value;
    this.shown[key] = value;
    this.states.set(key, "saved");
    this.errors.delete(key);
  }
}
