/**
 * A short, stable name for a tab, from its service-worker client id (`Client.id`, a UUID). The
 * worker's broadcasts name tabs by that id, so every tab derives the same label for the same tab:
 * the refresh timeline reads the same everywhere.
 */
export function tabLabel(clientId: string | null): string {
  if (clientId === null || clientId === '') return '—';
  return `tab ${clientId
    .replace(/[^0-9a-f]/gi, '')
    .slice(0, 4)
    .toUpperCase()}`;
}
