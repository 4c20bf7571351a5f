package org.communitysso.gateway.web;

import io.quarkus.arc.Arc;
import io.quarkus.qute.TemplateGlobal;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.communitysso.gateway.config.GatewayConfig;

/**
 * {@code gateway.ui.*}, checked at start-up (a bad value stops the gateway
 * naming the key): the accent colour goes into a style attribute and the URLs
 * into links, so only a colour and only http(s) or same-site paths pass.
 */
@Startup
@ApplicationScoped
public class UiSettings {

    private static final Pattern COLOR = Pattern.compile("#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})");
    private static final String DEFAULT_ACCENT = "#2458d6";

    /** What every page's layout reads as {@code ui}. */
    public record View(String communityName, String logoUrl, String accent, String onAccent, String supportUrl) {
    }

    private final View view;
    private final boolean skipSingleConnector;

    @Inject
    public UiSettings(GatewayConfig config) {
        GatewayConfig.UiConfig ui = config.ui();
        List<String> problems = new ArrayList<>();
        String accent = ui.accentColor().map(String::trim).filter(s -> !s.isEmpty()).orElse(DEFAULT_ACCENT);
        if (!COLOR.matcher(accent).matches()) {
            problems.add("gateway.ui.accent-color: must be a colour written #rgb or #rrggbb");
            accent = DEFAULT_ACCENT;
        }
        String logo = link("gateway.ui.logo-url", ui.logoUrl(), problems);
        String support = link("gateway.ui.support-url", ui.supportUrl(), problems);
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Invalid page settings:\n  - " + String.join("\n  - ", problems));
        }
        String name = ui.communityName().map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        this.view = new View(name, logo, accent.toLowerCase(Locale.ROOT), textOn(accent), support);
        this.skipSingleConnector = ui.skipSingleConnector();
    }

    public View view() {
        return view;
    }

    public boolean skipSingleConnector() {
        return skipSingleConnector;
    }

    /** For the templates: {@code {ui.communityName}}, … */
    @TemplateGlobal(name = "ui")
    public static View ui() {
        return Arc.container().instance(UiSettings.class).get().view();
    }

    private static String link(String key, Optional<String> value, List<String> problems) {
        String url = value.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        if (url == null) {
            return null;
        }
        boolean ok;
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            ok = (scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null
                    || uri.getScheme() == null && url.startsWith("/") && !url.startsWith("//") && !url.contains("\\");
        } catch (Exception e) {
            ok = false;
        }
        if (!ok) {
            problems.add(key + ": must be an absolute http(s) URL or a path starting with /");
            return null;
        }
        return url;
    }

    /** White or near-black text on the accent colour, whichever has the higher contrast (WCAG 2.2 1.4.3). */
    static String textOn(String hex) {
        double background = luminance(hex);
        double onWhite = (1.0 + 0.05) / (background + 0.05);
        double onDark = (background + 0.05) / (luminance("#111111") + 0.05);
        return onWhite >= onDark ? "#ffffff" : "#111111";
    }

    static double luminance(String hex) {
        String digits = hex.substring(1);
        if (digits.length() == 3) {
            digits = "" + digits.charAt(0) + digits.charAt(0) + digits.charAt(1) + digits.charAt(1) + digits.charAt(2)
                    + digits.charAt(2);
        }
        double[] channels = new double[3];
        for (int i = 0; i < 3; i++) {
            double c = Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16) / 255.0;
            channels[i] = c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
    }
}
