/**
 * An event with a typed `detail` and, in the style of workbox-window, the raw event behind it as
 * `originalEvent`. The base of `AuthProxyEvent` and `AuthWebSocketEvent`.
 */
export class DetailEvent<Details, K extends keyof Details & string, Original extends Event = Event> extends Event {
  override readonly type: K;
  readonly detail: Details[K];
  /** The event this one was made from, when there was one. */
  readonly originalEvent: Original | undefined;

  constructor(type: K, detail: Details[K], originalEvent?: Original) {
    super(type);
    this.type = type;
    this.detail = detail;
    this.originalEvent = originalEvent;
  }
}
