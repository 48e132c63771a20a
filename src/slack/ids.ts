/**
 * Slack action_ids, callback_ids and block_ids (values from the contract). They live in src/shared so the
 * domain's Block Kit builders and these listeners share one definition.
 */
export * from '../shared/ids';
