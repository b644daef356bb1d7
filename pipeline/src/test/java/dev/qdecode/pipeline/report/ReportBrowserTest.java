package dev.qdecode.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a report in headless Chromium (Debian package {@code chromium}) and checks the screenshot:
 * the page opens offline from a file URL and its inlined charts are drawn. Skipped where Chromium is
 * not installed. The screenshot is kept as {@code target/report-screenshot.png} for a look.
 */
class ReportBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final int W = 1280;
    private static final int H = 2000;

    @Test
    void reportRendersInHeadlessChromium(@TempDir Path tmp) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "chromium not installed: " + CHROMIUM + " is missing (apt-get install chromium)");
        Path run = ReportFixtures.realRun(tmp.resolve("readme-check"));
        Path html = RunReport.write(run, List.of(), RunReport.defaultOutDir(run)).get(0);
        Path shot = tmp.resolve("screenshot.png");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--disable-gpu", "--no-sandbox",
                "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + tmp.resolve("profile"),
                "--screenshot=" + shot, "--window-size=" + W + "," + H, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(Files.exists(shot), "no screenshot; chromium said: " + Files.readString(tmp.resolve("chromium.log")));
        Path keep = Path.of("target", "report-screenshot.png");
        if (Files.isDirectory(keep.getParent())) {
            Files.copy(shot, keep, StandardCopyOption.REPLACE_EXISTING);
        }
        BufferedImage img = ImageIO.read(shot.toFile());
        assertNotNull(img, "the screenshot does not decode");
        assertEquals(W, img.getWidth());
        assertEquals(H, img.getHeight());
        // Not blank: the luminance varies, a real share of the page is ink, and the charts' first
        // series colour (Tableau blue, from the inlined PNGs) is on screen.
        double sum = 0;
        double sq = 0;
        long ink = 0;
        long chartBlue = 0;
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                double lum = 0.299 * r + 0.587 * g + 0.114 * b;
                sum += lum;
                sq += lum * lum;
                n++;
                if (lum < 200) {
                    ink++;
                }
                if (Math.abs(r - 0x4E) < 16 && Math.abs(g - 0x79) < 16 && Math.abs(b - 0xA7) < 16) {
                    chartBlue++;
                }
            }
        }
        double mean = sum / n;
        double std = Math.sqrt(Math.max(0, sq / n - mean * mean));
        assertTrue(std > 10, "screenshot looks blank: luminance std " + std);
        assertTrue(ink > n / 100, "screenshot looks blank: " + ink + " dark pixels of " + n);
        assertTrue(chartBlue > 200, "no chart drawn: " + chartBlue + " pixels of the first series colour");
    }
}
