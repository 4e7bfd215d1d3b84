/** The http upgrade suite (test/http/upgrade.test.ts), on PostgreSQL. */
import { onPostgres } from './on-postgres.js';

await onPostgres(() => import('../http/upgrade.test.js'));
