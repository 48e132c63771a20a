/** One delivery's fields; the webhook body and the ingest baseline's row are built from the same values. */
export function complaintFields(tag: string, i: number) {
  const n = String(i % 10_000).padStart(4, '0');
  return {
    externalId: `${tag}-${i}`,
    source: 'bench',
    subject: `Order ${i} was charged twice and nobody has answered`,
    description:
      'I was charged twice for the same order, wrote in three times, and every answer asks me to wait. ' +
      'I have been a customer for six years and I am about to cancel. Please have someone senior call me.',
    priority: i % 2 === 0 ? 'urgent' : 'high',
    name: `Ingest Customer ${i}`,
    phone: `+1415555${n}`,
    email: `ingest${i}@example.com`,
    company: `Ingest Co ${i % 500}`,
    timezone: 'America/New_York',
    url: `https://help.example.com/tickets/${tag}-${i}`,
    receivedAt: new Date().toISOString(),
    tags: ['billing'],
    supportTried: 'Refund requested twice',
  };
}

/** The generic webhook's JSON body for delivery `i`. */
export function webhookBody(tag: string, i: number): string {
  const f = complaintFields(tag, i);
  return JSON.stringify({
    externalId: f.externalId,
    source: f.source,
    subject: f.subject,
    description: f.description,
    priority: f.priority,
    customer: { name: f.name, phone: f.phone, email: f.email, company: f.company, timezone: f.timezone },
    url: f.url,
    receivedAt: f.receivedAt,
    tags: f.tags,
    supportTried: f.supportTried,
  });
}
