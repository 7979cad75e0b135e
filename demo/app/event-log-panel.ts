import { element } from './element.js';
import { formatClockTime } from './format-time.js';

const KEPT = 200;

/** The raw event log, newest first: every event and page-side note, as text. */
export interface EventLogPanel {
  add(kind: string, text: string, at?: number): void;
}

export function mountEventLogPanel(list: HTMLOListElement): EventLogPanel {
  return {
    add: (kind, text, at = Date.now()) => {
      list.prepend(
        element('li', { 'data-kind': kind }, element('time', {}, formatClockTime(at)), element('b', {}, kind), element('span', {}, text)),
      );
      while (list.children.length > KEPT) list.lastElementChild?.remove();
    },
  };
}
