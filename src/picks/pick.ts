import type { Complaint } from '../complaints/complaint';

/** Who asked for a pick: the cron job, the operator's CLI, or `/pickup pick`. */
export type PickTrigger = 'schedule' | 'cli' | 'slash';

/** A stored daily pick. `complaintId` is null on a day whose pool was empty. */
export interface PickRecord {
  id: number;
  date: string;
  complaintId: number | null;
  poolSize: number;
  drawnIndex: number | null;
  poolHash: string;
  suggestedExecutive: string | null;
  /** Kept as stored: older rows and tools may have written other values than {@link PickTrigger}. */
  trigger: string;
  createdAt: Date;
  /** The draw's pool, ascending; null on picks that predate verifiable draws (see draw.ts), like the two below. */
  poolIds: number[] | null;
  /** The Monday of the week whose seed drew this pick. */
  seedWeek: string | null;
  /** That seed's SHA-256, as published with the pick. */
  seedCommitment: string | null;
}

/** What a channel post of the pick needs; `complaint` is null when the pool was empty. */
export interface PickForPost {
  pickId: number;
  date: string;
  poolSize: number;
  suggestedExecutive: string | null;
  trigger: string;
  complaint: Complaint | null;
  /** The commitment to the seed that drew it, and that seed's week, for the post's context line. */
  seedCommitment: string;
  seedWeek: string;
}
