package org.communitysso.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.communitysso.gateway.testing.Db;
import org.junit.jupiter.api.Test;

/** Audit events are written in batches off the request; reads see them at once; a bad row holds back nothing. */
@QuarkusTest
class AuditTrailTest {

    @Inject
    AuditTrail trail;
    @Inject
    Db db;

    @Test
    void eventsAreQueuedThenWrittenInOrderByOneFlush() {
        trail.flush();
        String connector = "batch-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 1_234; i++) {
            trail.record(new AuditTrail.Entry("sign_on", "failure", connector, null, null, "token_expired", "n" + i));
        }
        assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE connector_id = ?1", connector),
                "recording does not touch the database");
        assertTrue(trail.flush() >= 1_234);
        assertEquals(1_234, db.count("SELECT COUNT(*) FROM audit_events WHERE connector_id = ?1", connector));
        assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE connector_id = ?1 AND detail = 'n0' "
                + "AND id < (SELECT id FROM audit_events WHERE connector_id = ?1 AND detail = 'n1233')", connector),
                "rows keep the order they were recorded in");
        assertEquals(0, trail.pending(), "nothing left to write");
    }

    @Test
    void readsThroughTheTrailSeeEventsNotYetFlushed() {
        String connector = "read-" + UUID.randomUUID().toString().substring(0, 8);
        trail.record(new AuditTrail.Entry("sign_on", "failure", connector, null, null, "token_replayed", null));
        List<AuditTrail.Stored> found = trail.query(null, null, connector, 10);
        assertEquals(1, found.size());
        assertEquals("token_replayed", found.get(0).reason());
        assertEquals(1, trail.activity(connector, 0).failures());
    }

    @Test
    void whenTooManyEventsWaitTheOldestAreDroppedNotTheNewest() {
        trail.flush();
        String connector = "bound-" + UUID.randomUUID().toString().substring(0, 8);
        trail.limitPending(10);
        try {
            for (int i = 0; i < 15; i++) {
                trail.record(new AuditTrail.Entry("sign_on", "failure", connector, null, null, "token_expired", "n" + i));
            }
            assertEquals(10, trail.pending(), "memory stays bounded while nothing can be written");
        } finally {
            trail.limitPending(AuditTrail.MAX_PENDING);
        }
        trail.flush();
        assertEquals(10, db.count("SELECT COUNT(*) FROM audit_events WHERE connector_id = ?1", connector));
        assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE connector_id = ?1 AND detail IN "
                + "('n0', 'n1', 'n2', 'n3', 'n4')", connector), "the five oldest were dropped");
    }

    @Test
    void aRowTheDatabaseRefusesIsDroppedAndTheRestAreWritten() {
        trail.flush();
        String connector = "bad-" + UUID.randomUUID().toString().substring(0, 8);
        trail.record(new AuditTrail.Entry("sign_on", "success", connector, 1L, null, null, "before"));
        trail.record(new AuditTrail.Entry(null, "success", connector, 1L, null, null, "no event name")); // NOT NULL
        trail.record(new AuditTrail.Entry("sign_on", "success", connector, 1L, null, null, "after"));
        assertTrue(trail.flush() >= 2);
        assertEquals(2, db.count("SELECT COUNT(*) FROM audit_events WHERE connector_id = ?1", connector));
        assertEquals(0, trail.pending(), "the refused row is not retried forever");
    }
}
