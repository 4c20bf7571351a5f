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
 * Ready when the database answers. Each enabled connector's IdP is reported in the
 * check's data ({@code ok}, {@code failing: why}, {@code n/a}) but an IdP that is down
 * does not take the gateway out of rotation: the other connectors still work, and the
 * failing one answers its members with {@code idp_unavailable}.
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
        return response.status(database).build();
    }
}
