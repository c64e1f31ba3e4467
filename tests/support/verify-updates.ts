import { MongoTicketStore } from '../../core/store/mongo-ticket-store.js';

/**
 * `HELPDESK_VERIFY_UPDATES=1 npx vitest run …`: every ticket write whose result is computed from the
 * version the writer read (`MongoTicketStore.update` with `known`) is checked against a read.
 */
MongoTicketStore.verifyUpdates = process.env.HELPDESK_VERIFY_UPDATES === '1';
