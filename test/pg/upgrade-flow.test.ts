/** The upgrade-flow suite (test/upgrade-flow.test.ts), on PostgreSQL. */
import { onPostgres } from './on-postgres.js';

await onPostgres(() => import('../upgrade-flow.test.js'));
