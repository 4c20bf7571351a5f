package org.communitysso.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A member's whole journey through the demo IdPs in a real browser: Debian's
 * Chromium, driven through Debian's chromedriver (scripts/test installs both;
 * the driver and browser paths are given, so Selenium Manager never runs and
 * nothing is downloaded). Sign-in page → demo IdP → choose a username (once
 * refused) → the community; Back and resubmit; email_taken → link → either
 * method; account page → unlink; an error page. Every page is checked with
 * axe-core (serious or critical violations fail), for no horizontal scrolling
 * at 360 px, and photographed at 1280 and 360 px. Run by
 * {@link MemberJourneyBrowserTest} against the gateway under test, and by
 * {@link MemberJourney#main} against a running demo ({@code ./mvnw quarkus:dev})
 * for the screenshots in docs/members.md.
 */
public final class MemberJourney implements AutoCloseable {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private final ChromeDriver browser;
    private final Path profileDir;
    private final String base;
    private final Path screenshots;
    private String axeSource;

    /** {@code base}: the gateway's URL without a trailing slash; screenshots go to {@code screenshots}. */
    public MemberJourney(String base, Path screenshots) throws IOException {
        assertTrue(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
                "Debian's chromium and chromium-driver are needed (scripts/test installs them)");
        this.base = base.replaceAll("/$", "");
        this.screenshots = screenshots;
        this.profileDir = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--user-data-dir=" + profileDir);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(60));
    }

    /** Screenshots of the demo's pages: {@code MemberJourney <gateway URL> <directory>}. */
    public static void main(String[] args) throws Exception {
        try (MemberJourney journey = new MemberJourney(args[0], Path.of(args.length > 1 ? args[1] : "docs/screenshots"))) {
            journey.walk(null);
        }
    }

    @Override
    public void close() throws IOException {
        browser.quit();
        try (var files = Files.walk(profileDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Walks the journey; {@code links}, if given, counts the links of an external id in the
     * gateway's database (the test checks what was linked; the screenshot run cannot).
     */
    public void walk(Function<String, Long> links) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String email = "m" + id + "@journey.test";
        String username = "Journey " + id;

        // the sign-in page: every enabled method with its label, icon and description
        open("/auth/login?return_url=/");
        assertTrue(text().contains("Sign in"));
        assertTrue(browser.findElement(By.id("connector-demo")).getText().contains("Sign in with the Demo IdP"));
        assertFalse(browser.findElement(By.id("connector-demo-partner")).getText().isBlank());
        assertTrue(browser.findElement(By.id("description-demo")).isDisplayed());
        checkPage("sign-in");

        // → the demo IdP, as a new member without a username
        browser.findElement(By.id("connector-demo")).click();
        waitForPath("/dev/demo-idp/demo/sign-on");
        checkPage("demo-idp");
        fillIdp("d-" + id, "", email);

        // → choose a username: the rule is shown before any failure, focus is on the field
        waitForPath("/auth/profile");
        assertTrue(text().contains("letters, digits"));
        assertEquals("username", active().getAttribute("id"));
        checkPage("choose-username");
        String csrf = browser.findElement(By.name("csrf")).getAttribute("value");

        // once with a name the community refuses: the same page by GET, value kept, error tied to the field
        type(By.id("username"), "x!");
        browser.findElement(By.id("continue")).click();
        waitForPath("/auth/profile");
        WebElement field = browser.findElement(By.id("username"));
        assertEquals("true", field.getAttribute("aria-invalid"));
        assertEquals("x!", field.getAttribute("value"));
        assertTrue(field.getAttribute("aria-describedby").contains("username-error"));
        assertEquals("alert", browser.findElement(By.id("error-summary")).getAttribute("role"));
        assertEquals("username", active().getAttribute("id"));
        checkPage("choose-username-error");

        type(By.id("username"), username);
        browser.findElement(By.id("continue")).click();
        waitForPath("/");
        waitForText(By.id("session"), username);

        // Back to the used form: on to the community, no "expired" error
        browser.navigate().back();
        waitForPath("/");
        assertFalse(text().contains("pending_sign_on_invalid"));
        // resubmitting the used form (as "Confirm Form Resubmission" would): the same
        postForm("/auth/profile", Map.of("csrf", csrf, "username", username));
        waitForPath("/");
        assertFalse(text().contains("pending_sign_on_invalid"));
        waitForText(By.id("session"), username);

        // the second demo IdP sends the same email: email_taken, with the way to link
        open("/auth/logout?return_url=/");
        open("/auth/demo-partner/login?return_url=/");
        fillIdp("p-" + id, "", email);
        waitForPath("/auth/demo-partner/return");
        assertTrue(text().contains("email_taken"));
        assertFalse(text().contains(email), "the page does not show the other account's email");
        checkPage("email-taken");
        browser.findElement(By.id("link-with-demo")).click();
        waitForPath("/dev/demo-idp/demo/sign-on");
        fillIdp("d-" + id, "", email);
        waitForPath("/auth/account");
        waitForText(By.id("confirmation"), "is now linked");
        checkPage("account-linked");
        browser.findElement(By.id("continue")).click();
        waitForPath("/");
        waitForText(By.id("session"), username);

        // either method now signs in to the one account
        open("/auth/logout?return_url=/");
        open("/auth/demo-partner/login?return_url=/");
        fillIdp("p-" + id, "", email);
        waitForPath("/");
        waitForText(By.id("session"), username);
        if (links != null) {
            assertEquals(1L, links.apply("d-" + id));
            assertEquals(1L, links.apply("p-" + id));
        }

        // the account page: remove the demo IdP (not the last one)
        open("/auth/account");
        browser.findElement(By.id("unlink-demo")).click();
        // the form posts from /auth/account back to /auth/account: wait for the new page, not for the path
        waitForText(By.id("confirmation"), "was removed");
        assertTrue(browser.findElements(By.id("unlink-demo-partner")).isEmpty(), "the last method has no Remove");
        checkPage("account");
        if (links != null) {
            assertEquals(0L, links.apply("d-" + id));
        }

        // an error page: reason code, next step, "Try again"
        open("/auth/link");
        assertTrue(text().contains("link_invalid"));
        assertTrue(browser.findElement(By.id("try-again")).getAttribute("href").contains("/auth/login"));
        checkPage("error");
    }

    private void fillIdp(String idpId, String username, String email) {
        type(By.id("id"), idpId);
        type(By.id("username"), username);
        type(By.id("email"), email);
        browser.findElement(By.id("idp-sign-in")).click();
    }

    private void open(String path) {
        browser.get(base + path);
    }

    private void type(By field, String value) {
        WebElement element = browser.findElement(field);
        element.clear();
        element.sendKeys(value);
    }

    private WebElement active() {
        return browser.switchTo().activeElement();
    }

    private String text() {
        return browser.findElement(By.tagName("body")).getText();
    }

    private void waitForPath(String path) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(b -> {
            String url = b.getCurrentUrl();
            String current = URI(url);
            return current.equals(path);
        });
    }

    private String URI(String url) {
        java.net.URI uri = java.net.URI.create(url);
        return uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
    }

    private void waitForText(By element, String expected) {
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .until(b -> b.findElement(element).getText().contains(expected));
    }

    /** A form POST from the page, as the browser's resubmission sends it. */
    private void postForm(String action, Map<String, String> fields) {
        StringBuilder script = new StringBuilder("const f = document.createElement('form'); f.method = 'post';"
                + " f.action = arguments[0];");
        List<Object> args = new ArrayList<>();
        args.add(action);
        int i = 1;
        for (Map.Entry<String, String> field : fields.entrySet()) {
            script.append(" { const input = document.createElement('input'); input.type = 'hidden';")
                    .append(" input.name = arguments[").append(i).append("]; input.value = arguments[")
                    .append(i + 1).append("]; f.appendChild(input); }");
            args.add(field.getKey());
            args.add(field.getValue());
            i += 2;
        }
        script.append(" document.body.appendChild(f); f.submit();");
        ((JavascriptExecutor) browser).executeScript(script.toString(), args.toArray());
    }

    /** axe-core finds nothing serious at either width; no horizontal scrolling at 360 px; screenshots. */
    private void checkPage(String name) {
        List<String> violations = new ArrayList<>();
        for (int width : new int[] {1280, 360}) {
            browser.manage().window().setSize(new Dimension(width, 900));
            JavascriptExecutor js = browser;
            if (width == 360) {
                Number scrollWidth = (Number) js.executeScript("return document.documentElement.scrollWidth");
                assertTrue(scrollWidth.intValue() <= 360, name + " scrolls sideways at 360 px: " + scrollWidth);
            }
            violations.addAll(axe(name + "@" + width));
            screenshot(name, width);
        }
        browser.manage().window().setSize(new Dimension(1280, 900));
        assertTrue(violations.isEmpty(), "accessibility violations on " + name + ":\n" + String.join("\n", violations));
    }

    private List<String> axe(String page) {
        JavascriptExecutor js = browser;
        js.executeScript(axeSource());
        Object result = js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
                + " 'wcag22aa', 'best-practice'] } })"
                + ".then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                + ".map(v => v.impact + ' ' + v.id + ': ' + v.help + ' ' + v.nodes.map(n => n.target.join(' ')).join(', '))))"
                + ".catch(e => done(['axe failed: ' + e]));");
        List<String> found = new ArrayList<>();
        for (Object violation : (List<?>) result) {
            found.add(page + " " + violation);
        }
        return found;
    }

    private String axeSource() {
        if (axeSource == null) {
            try (InputStream in = MemberJourney.class.getResourceAsStream("/axe.min.js")) {
                assertTrue(in != null, "axe.min.js (com.deque.html.axe-core:selenium) is on the test class path");
                axeSource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return axeSource;
    }

    /** The whole page: the window is made as tall as the page first. */
    private void screenshot(String name, int width) {
        Number height = (Number) browser.executeScript("return document.documentElement.scrollHeight"
                + " + window.outerHeight - window.innerHeight");
        browser.manage().window().setSize(new Dimension(width, Math.max(600, height.intValue())));
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        try {
            Files.createDirectories(screenshots);
            Files.write(screenshots.resolve(name + "-" + width + ".png"), png);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
