package org.communitysso.gateway.web;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Path;
import org.communitysso.gateway.testing.Db;
import org.communitysso.gateway.testing.TestIdp;
import org.junit.jupiter.api.Test;

/**
 * SPEC 4 and 8 in a real browser ({@link MemberJourney}: Debian's Chromium and
 * chromedriver, axe-core on every page) against the gateway under test, with
 * the demo IdPs (dev/DemoIdpResource, built for tests too). Screenshots go to
 * target/screenshots, or to {@code -Dscreenshots.dir}.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class MemberJourneyBrowserTest {

    @TestHTTPResource("/")
    URL gateway;
    @Inject
    Db db;

    @Test
    void memberSignsUpLinksASecondIdpAndUnlinksIt() throws Exception {
        try (MemberJourney journey = new MemberJourney(gateway.toString(),
                Path.of(System.getProperty("screenshots.dir", "target/screenshots")))) {
            journey.walk(db::linksFor);
        }
    }
}
