/** What `element` accepts as children; `null`, `undefined` and `false` are skipped. */
export type ElementChild = Node | string | number | null | undefined | false;

/**
 * Create an element with attributes and children: enough DOM building for a dashboard without a
 * framework. Text is always set as text, never parsed as HTML (it shows server and worker data).
 *
 * @example
 * element('li', { class: 'entry', 'data-id': id }, element('b', {}, 'tick'), ` #${id}`);
 */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: ElementChild[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'number' ? String(child) : child);
  }
  return node;
}
