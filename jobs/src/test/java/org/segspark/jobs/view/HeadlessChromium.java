package org.segspark.jobs.view;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a page in headless Chromium: a screenshot, and what the page reported after loading:
 * its images (each must have decoded to a picture) and every console error or uncaught exception.
 * The check runs in a copy of the page with a small script first in its head (the page itself
 * carries no test code).
 */
public final class HeadlessChromium {
    private static final String PROBE = """
            <script>
            window.__segsparkErrors = [];
            window.addEventListener('error', e => window.__segsparkErrors.push('uncaught: ' + (e.message || e.target && (e.target.src || e.target.outerHTML))), true);
            const __err = console.error.bind(console);
            console.error = (...a) => { window.__segsparkErrors.push('console.error: ' + a.join(' ')); __err(...a); };
            window.addEventListener('load', () => {
              const imgs = [...document.images];
              const bad = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt || i.src.slice(0, 60));
              // every chart: its title, whether it drew (a box with an area) and where it ends on the page
              const charts = [...document.querySelectorAll('svg')].map(s => {
                const r = s.getBoundingClientRect(), t = s.querySelector('text');
                return {title: t ? t.textContent : '', drawn: r.width > 100 && r.height > 50, bottom: r.bottom + window.scrollY};
              });
              document.documentElement.setAttribute('data-segspark-check',
                JSON.stringify({images: imgs.length, broken: bad, errors: window.__segsparkErrors, charts: charts}));
            });
            </script>
            """;

    /** Where the screenshot ends: the window is this tall, so the whole of a report fits. */
    public static final int HEIGHT = 9000;

    /** A chart of the page: its title, whether it drew, and where it ends (px from the top). */
    public record Chart(String title, boolean drawn, double bottom) {
    }

    public record Check(int images, List<String> broken, List<String> errors, List<Chart> charts, Path screenshot,
                        String log) {
    }

    public static Check open(Path page, Path work) throws IOException, InterruptedException {
        Path chromium = ExternalTool.require("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
        String html = Files.readString(page, StandardCharsets.UTF_8);
        int head = html.indexOf("<head>");
        String probed = head < 0 ? PROBE + html : html.substring(0, head + 6) + PROBE + html.substring(head + 6);
        Path probe = page.resolveSibling(page.getFileName() + ".check.html");
        Files.writeString(probe, probed, StandardCharsets.UTF_8);
        Path screenshot = page.resolveSibling(page.getFileName().toString().replace(".html", "") + "-screenshot.png");
        try {
            ExternalTool.Result dom = ExternalTool.run(command(chromium, work.resolve("profile-dom"), "--dump-dom",
                    probe.toUri().toString()), Map.of(), work, 120);
            ExternalTool.Result shot = ExternalTool.run(command(chromium, work.resolve("profile-shot"),
                    "--screenshot=" + screenshot, page.toUri().toString()), Map.of(), work, 120);
            Matcher m = Pattern.compile("data-segspark-check=\"([^\"]*)\"").matcher(dom.out());
            if (!m.find()) {
                throw new AssertionError("the page did not finish loading in Chromium (no check attribute): " + dom.err());
            }
            com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    m.group(1).replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"));
            List<String> broken = new ArrayList<>(), errors = new ArrayList<>();
            j.get("broken").forEach(b -> broken.add(b.asText()));
            j.get("errors").forEach(e -> errors.add(e.asText()));
            List<Chart> charts = new ArrayList<>();
            j.get("charts").forEach(c -> charts.add(new Chart(c.get("title").asText(), c.get("drawn").asBoolean(),
                    c.get("bottom").asDouble())));
            for (String line : (dom.err() + shot.err()).split("\n")) {
                if (line.contains(":CONSOLE") && (line.contains("Uncaught") || line.contains("Error"))) {
                    errors.add(line);
                }
            }
            return new Check(j.get("images").asInt(), broken, errors, charts, screenshot, dom.err() + shot.err());
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static List<String> command(Path chromium, Path profile, String action, String url) {
        return List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--window-size=1280," + HEIGHT,
                "--virtual-time-budget=10000", action, url);
    }
}
