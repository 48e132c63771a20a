import type { VendorSource } from '../complaints/complaint';
import type { HelpDeskClient, HelpDeskNote, ThreadMessage } from '../ports/helpdesk.port';

/** The help desk the printer stands in for: its source and the name agents know it by. */
export interface PrintedHelpDesk {
  source: VendorSource;
  label: string;
}

/** A note drawn as a box, the way an agent would see it on the ticket: vendor, ticket, "Internal note", tags. */
export function renderHelpDeskNote(vendor: string, ticketId: string, note: HelpDeskNote): string[] {
  const lines = [
    `╔═ ${vendor} · ticket #${ticketId}`,
    '║ Internal note, from Pickup (only agents see it; the customer never does)',
    '║',
    ...note.text.split('\n').map((line) => `║ ${line}`),
  ];
  if (note.tags.length > 0) lines.push('║', `║ Tags added: ${note.tags.join(', ')}`);
  lines.push('╚═');
  return lines;
}

/**
 * The demo's help desk: a HelpDeskClient that prints each internal note as it would appear on the ticket instead
 * of calling the vendor's API, and answers the ticket thread from `threads`. Everything before it (what is noted,
 * when, the outbox that delivers it exactly once) is production's.
 */
export function createPrintingHelpDesk(
  out: (line: string) => void,
  vendor: PrintedHelpDesk,
  threads: Readonly<Record<string, readonly ThreadMessage[]>>,
): HelpDeskClient {
  return {
    source: vendor.source,
    async addInternalNote(ticketId, note) {
      out('');
      for (const line of renderHelpDeskNote(vendor.label, ticketId, note)) out(line);
    },
    async fetchThread(ticketId, limit) {
      const messages = (threads[ticketId] ?? []).slice(-limit);
      out('');
      out(`(${vendor.label} API: read the last ${messages.length} messages of ticket #${ticketId}, for the brief.)`);
      return messages;
    },
  };
}
