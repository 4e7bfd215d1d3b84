/** The http messages suite (test/http/messages.test.ts), on PostgreSQL. */
import { onPostgres } from './on-postgres.js';

await onPostgres(() => import('../http/messages.test.js'));
