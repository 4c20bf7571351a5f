package org.communitysso.gateway.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.narayana.jta.QuarkusTransactionException;
import jakarta.transaction.RollbackException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import org.junit.jupiter.api.Test;

/** Which failures answer 503 + Retry-After (the database is unreachable) rather than 500. */
class DatabaseUnavailableTest {

    @Test
    void aConnectionFailureAnywhereInTheChainIsUnavailability() {
        assertTrue(ErrorResponses.databaseUnavailable(new IllegalStateException(
                new SQLNonTransientConnectionException("No operations allowed after connection closed."))));
        assertTrue(ErrorResponses.databaseUnavailable(new SQLException("Communications link failure", "08S01")));
        assertTrue(ErrorResponses.databaseUnavailable(new SQLException("Sorry, acquisition timeout!")));
    }

    @Test
    void aCommitRefusedBecauseTheConnectionCouldNotBeEnlistedIsUnavailability() {
        // what Narayana throws after a broken pooled connection failed to join the transaction
        Throwable marked = new Throwable("setRollbackOnly called from:");
        marked.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionImple",
                        "setRollbackOnly", "TransactionImple.java", 322),
                new StackTraceElement("com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionImple",
                        "enlistResource", "TransactionImple.java", 709),
                new StackTraceElement("io.agroal.narayana.NarayanaTransactionIntegration", "associate",
                        "NarayanaTransactionIntegration.java", 125) });
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.initCause(marked);
        assertTrue(ErrorResponses.databaseUnavailable(new QuarkusTransactionException(rollback)));
    }

    @Test
    void otherFailuresAreNot() {
        Throwable marked = new Throwable("setRollbackOnly called from:"); // marked by our own code, not an enlistment
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.initCause(marked);
        assertFalse(ErrorResponses.databaseUnavailable(new QuarkusTransactionException(rollback)));
        assertFalse(ErrorResponses.databaseUnavailable(new SQLException("Duplicate entry", "23000")));
        assertFalse(ErrorResponses.databaseUnavailable(new IllegalStateException("bug")));
    }
}
