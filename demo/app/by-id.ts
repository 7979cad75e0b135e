/**
 * The element with this id, checked to be of the expected class, so a renamed id in index.html
 * fails loudly at start-up instead of as `null` somewhere later.
 *
 * @example
 * const size = byId('storm-size', HTMLInputElement);
 */
export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new TypeError(`Failed to start the demo page: #${id} is missing or not a ${type.name}`);
  return found;
}
