package org.communitysso.gateway.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.URL;
import org.communitysso.gateway.testing.TestIdp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Health and metrics answer on the management port only, not on the port the community's proxy exposes. */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class ManagementInterfaceTest {

    // relative to the management root path (/q)
    @TestHTTPResource(value = "/health", management = true)
    URL health;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @ParameterizedTest
    @ValueSource(strings = {"/q/metrics", "/q/health", "/q/health/live", "/q/health/ready"})
    void notOnTheApplicationPort(String path) {
        given().redirects().follow(false).get(path).then().statusCode(404);
    }

    @Test
    void healthOnTheManagementPort() {
        assertNotEquals(RestAssured.port, health.getPort());
        assertEquals("/q/health", health.getPath());
        given().get(health).then().statusCode(200).body("status", equalTo("UP"));
        given().get(health + "/live").then().statusCode(200);
        given().get(health + "/ready").then().statusCode(200);
    }

    @Test
    void metricsOnTheManagementPort() {
        given().get(metrics).then().statusCode(200).body(containsString("# TYPE jvm_memory_used_bytes gauge"));
    }
}
