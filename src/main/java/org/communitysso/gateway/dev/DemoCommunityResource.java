package org.communitysso.gateway.dev;

import io.quarkus.arc.profile.IfBuildProfile;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Stands in for the community's own front page on the first run only, so the
 * landing URL ({@code /}) shows who is signed in. Built in dev and for the
 * browser test only.
 */
@IfBuildProfile(anyOf = {"dev", "test"})
@Path("/")
public class DemoCommunityResource {

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String home() {
        return """
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <link rel="icon" href="/favicon.ico"><title>Demo community</title>
                <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
                pre{background:#f4f5f7;padding:1rem;white-space:pre-wrap;overflow-wrap:anywhere}</style>
                </head><body><main><h1>Demo community</h1>
                <p>This page stands in for the community (dev profile only).</p>
                <p><a id="sign-in" href="/auth/login?return_url=/">Sign in</a> ·
                <a id="account" href="/auth/account">Your account</a> ·
                <a id="sign-out" href="/auth/logout?return_url=/">Sign out</a></p>
                <h2>GET /auth/session</h2><pre id="session">…</pre></main>
                <script>
                fetch('/auth/session').then(r => r.json()).then(j => {
                  document.getElementById('session').textContent = JSON.stringify(j, null, 2);
                });
                </script></body></html>
                """;
    }
}
