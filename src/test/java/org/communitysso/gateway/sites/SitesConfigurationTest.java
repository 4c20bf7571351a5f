package org.communitysso.gateway.sites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad or missing site settings stop start-up with a message naming the key, as connectors do. */
class SitesConfigurationTest {

    private static final String SECRET = "a-site-secret-of-at-least-32-bytes!!";

    private static Map<String, String> shop() {
        Map<String, String> p = new HashMap<>();
        p.put("gateway.sites.shop.origin", "https://shop.example.com");
        p.put("gateway.sites.shop.secret", SECRET);
        p.put("gateway.sites.shop.mode", "auto");
        return p;
    }

    private static Map<String, Site> build(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(SitesConfig.class).withMapping(SsoConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return Sites.build(config.getConfigMapping(SitesConfig.class).sites(), config.getConfigMapping(SsoConfig.class));
    }

    @Test
    void aCompleteSiteBuilds() {
        Map<String, String> p = shop();
        p.put("gateway.sites.shop.label", "Example Shop");
        p.put("gateway.sites.shop.logout-url", "https://shop.example.com/sso/logout");
        p.put("gateway.sites.docs.origin", "https://DOCS.example.com:443/");
        p.put("gateway.sites.docs.secret", SECRET);
        p.put("gateway.sites.docs.mode", "opt-in");
        Map<String, Site> sites = build(p);
        assertEquals("Example Shop", sites.get("shop").label());
        assertEquals(Site.Mode.AUTO, sites.get("shop").mode());
        assertEquals("https://docs.example.com:443", sites.get("docs").origin());
        assertEquals("docs", sites.get("docs").label(), "the id when no label");
        assertTrue(sites.get("docs").logoutUrl().isEmpty());
        assertTrue(sites.get("docs").accepts("https://docs.example.com/cb?x=1"));
        assertFalse(sites.get("docs").accepts("https://docs.example.com.evil.test/cb"));
    }

    @Test
    void noSitesIsFine() {
        assertTrue(build(new HashMap<>()).isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "origin|''|gateway.sites.shop.origin: is required",
            "origin|https://shop.example.com/path|gateway.sites.shop.origin: must be an http(s) origin",
            "origin|ftp://shop.example.com|gateway.sites.shop.origin: must be an http(s) origin",
            "origin|https://shop.example.com?x=1|gateway.sites.shop.origin: must be an http(s) origin",
            "origin|shop.example.com|gateway.sites.shop.origin: must be an http(s) origin",
            "secret|''|gateway.sites.shop.secret: is required",
            "secret|too-short|gateway.sites.shop.secret: must be at least 32 bytes",
            "mode|''|gateway.sites.shop.mode: is required",
            "mode|automatic|gateway.sites.shop.mode: must be auto, opt-in or disabled",
            "logout-url|not a url|gateway.sites.shop.logout-url: must be an absolute http(s) URL",
            "logout-url|javascript:alert(1)|gateway.sites.shop.logout-url: must be an absolute http(s) URL"})
    void aBadSettingStopsStartUpNamingTheKey(String key, String value, String message) {
        Map<String, String> p = shop();
        p.put("gateway.sites.shop." + key, value);
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> build(p));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aMissingSettingIsNamedAndEveryProblemIsListedAtOnce() {
        Map<String, String> p = new HashMap<>();
        p.put("gateway.sites.shop.label", "Example Shop");
        p.put("gateway.sites.Bad_Id.origin", "https://x.example.com");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> build(p));
        assertTrue(e.getMessage().contains("gateway.sites.shop.origin: is required"), e.getMessage());
        assertTrue(e.getMessage().contains("gateway.sites.shop.secret: is required"), e.getMessage());
        assertTrue(e.getMessage().contains("gateway.sites.shop.mode: is required"), e.getMessage());
        assertTrue(e.getMessage().contains("site id 'Bad_Id' must be a lower-case slug"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "gateway.sso.ott-lifetime|0S|gateway.sso.ott-lifetime: must be positive",
            "gateway.sso.ott-lifetime|1H|gateway.sso.ott-lifetime: must be positive and at most 10 minutes",
            "gateway.sso.logout-timeout|0S|gateway.sso.logout-timeout: must be positive",
            "gateway.sso.logout-attempts|0|gateway.sso.logout-attempts: must be between 1 and 10"})
    void badSsoSettingsStopStartUp(String key, String value, String message) {
        Map<String, String> p = shop();
        p.put(key, value);
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> build(p));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aValueThatIsNotADurationIsNamedBySmallRye() {
        Map<String, String> p = shop();
        p.put("gateway.sso.ott-lifetime", "soon");
        RuntimeException e = assertThrows(RuntimeException.class, () -> build(p));
        assertTrue(String.valueOf(e.getMessage()).contains("gateway.sso.ott-lifetime"), String.valueOf(e.getMessage()));
    }

    @Test
    void anUnknownSiteKeyStopsStartUpNamingIt() {
        Map<String, String> p = shop();
        p.put("gateway.sites.shop.orign", "https://typo.example.com");
        RuntimeException e = assertThrows(RuntimeException.class, () -> new SmallRyeConfigBuilder()
                .withMapping(SitesConfig.class).withMapping(SsoConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(p, "test", 500)).build());
        assertTrue(e.getMessage().contains("gateway.sites.shop.orign"), e.getMessage());
    }
}
