package org.segspark.jobs.report;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Escaping and embedding for self-contained HTML pages (no external resources at all). */
public final class Html {
    private Html() {
    }

    public static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    public static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String img(byte[] png, String alt) {
        return "<img alt=\"" + esc(alt) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\">";
    }

    /** A chart's SVG, inline (vector, searchable text), in a figure with its caption. */
    public static String svg(String svg, String caption) {
        return "<figure>" + svg + "<figcaption>" + esc(caption) + "</figcaption></figure>";
    }

    public static final String STYLE = "<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}"
            + "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}"
            + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
            + "th{background:#f4f4f4}td.l,th.l{text-align:left}pre{background:#f7f7f7;padding:8px;font-size:12px;overflow:auto;max-height:320px}"
            + "img{max-width:100%}svg{max-width:100%;height:auto}figure{margin:12px 0}figcaption{font-size:12px;color:#555}"
            + ".kv td{text-align:left}.big{font-size:20px;font-weight:600}.swatch{display:inline-block;width:14px;height:14px;"
            + "vertical-align:middle;margin:0 4px 0 10px;border:1px solid #999}</style>";
}
