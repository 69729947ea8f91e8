package org.segspark.preprocess.io;

import org.segspark.core.io.HadoopFiles;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The rejects table next to a job's output: CSV with header {@code path,stage,reason}. */
public final class RejectsTable {
    public static final String FILE = "rejects.csv";

    private RejectsTable() {
    }

    public static void write(Path file, Configuration conf, List<Reject> rejects) throws IOException {
        StringBuilder sb = new StringBuilder("path,stage,reason\n");
        for (Reject r : rejects) {
            sb.append(csv(r.path())).append(',').append(csv(r.stage())).append(',').append(csv(r.reason())).append('\n');
        }
        HadoopFiles.writeAtomically(file, conf, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static List<Reject> read(Path file, Configuration conf) throws IOException {
        String text = new String(HadoopFiles.readAll(file, conf), StandardCharsets.UTF_8);
        List<Reject> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false, header = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(cur.toString());
                cur.setLength(0);
            } else if (c == '\n') {
                fields.add(cur.toString());
                cur.setLength(0);
                if (!header) {
                    if (fields.size() != 3) {
                        throw new IOException(file + ": row " + (rows.size() + 2) + " has " + fields.size() + " fields");
                    }
                    rows.add(new Reject(fields.get(0), fields.get(1), fields.get(2)));
                }
                header = false;
                fields.clear();
            } else {
                cur.append(c);
            }
        }
        return rows;
    }

    /** One CSV field, quoted when it holds a comma, quote or line break. */
    public static String csv(String s) {
        if (s == null) {
            return "";
        }
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
