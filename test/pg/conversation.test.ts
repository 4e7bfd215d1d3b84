/** The conversation suite (test/conversation.test.ts), on PostgreSQL. */
import { onPostgres } from './on-postgres.js';

await onPostgres(() => import('../conversation.test.js'));
