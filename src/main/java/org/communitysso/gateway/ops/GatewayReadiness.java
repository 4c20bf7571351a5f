package org.communitysso.gateway.ops;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the database and each enabled connector's IdP in the check's data
 * ({@code ok}, {@code failing: why}, {@code n/a}). Neither takes a started gateway
 * out of rotation: an IdP that is down leaves the other connectors working (the
 * failing one answers {@code idp_unavailable}), and while the database is down an
 * instance still answers cached session checks and a quick 503 for the rest; every
 * instance shares that database, so going unready would turn a database blip into
 * a total outage. A gateway whose database is unreachable at start-up never starts
 * (Flyway migrates first).
 */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {

    @Inject
    AgroalDataSource dataSource;
    @Inject
    IdpReachability idps;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("gateway");
        boolean database;
        try (Connection connection = dataSource.getConnection()) {
            database = connection.isValid(2);
        } catch (Exception e) {
            database = false;
        }
        response.withData("database", database ? "ok" : "failing");
        for (Map.Entry<String, IdpReachability.Result> idp : idps.all().entrySet()) {
            IdpReachability.Result result = idp.getValue();
            String state = switch (result.state()) {
                case OK -> "ok";
                case NOT_APPLICABLE -> "n/a";
                case FAILING -> "failing" + (result.detail() == null ? "" : ": " + result.detail());
            };
            response.withData("connector." + idp.getKey(), state);
        }
        return response.up().build();
    }
}
