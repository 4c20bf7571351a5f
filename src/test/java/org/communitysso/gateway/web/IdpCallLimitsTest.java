package org.communitysso.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.junit.jupiter.api.Test;

/** Issue 10: a slow IdP holds only its connector's share of threads; other connectors go on. */
class IdpCallLimitsTest {

    @Test
    void aSlowIdpFillsOnlyItsOwnConnectorsShare() throws Exception {
        IdpCallLimits limits = new IdpCallLimits(2);
        CountDownLatch inside = new CountDownLatch(2);
        CountDownLatch idpAnswers = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<String> first = pool.submit(() -> limits.call("slow", () -> waitFor(inside, idpAnswers)));
            Future<String> second = pool.submit(() -> limits.call("slow", () -> waitFor(inside, idpAnswers)));
            assertTrue(inside.await(10, TimeUnit.SECONDS));

            long started = System.nanoTime();
            GatewayException refused = assertThrows(GatewayException.class, () -> limits.call("slow", () -> "third"));
            assertEquals(Reason.IDP_UNAVAILABLE, refused.reason());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(1), "refused at once, not queued");
            assertEquals("other", limits.call("fast", () -> "other"), "another connector is not held up");

            idpAnswers.countDown();
            assertEquals("answered", first.get(10, TimeUnit.SECONDS));
            assertEquals("answered", second.get(10, TimeUnit.SECONDS));
            assertEquals("again", limits.call("slow", () -> "again"), "permits come back when the IdP answers");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingStepGivesItsPermitBack() {
        IdpCallLimits limits = new IdpCallLimits(1);
        assertThrows(IllegalStateException.class, () -> limits.call("down", () -> {
            throw new IllegalStateException("connection refused");
        }));
        assertEquals("next", limits.call("down", () -> "next"));
    }

    private static String waitFor(CountDownLatch inside, CountDownLatch idpAnswers) {
        inside.countDown();
        try {
            idpAnswers.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "answered";
    }
}
