package org.segspark.preprocess.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What an incremental run compares to decide that an item is unchanged: the item itself (its
 * metadata: annotations, label, split, box) and the size and modification time of each file it
 * reads. Sizes and times rather than content hashes, as rsync and make do: reading every image
 * twice to find it unchanged would cost as much as processing it.
 */
public final class InputFingerprint {
    /** The key and fingerprint of one item. */
    public record Keyed(String key, String fingerprint) implements Serializable {
    }

    private InputFingerprint() {
    }

    public static String of(Serializable item, List<Path> files, Configuration conf) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
        md.update(serialized(item));
        for (Path f : files) {
            StringBuilder sb = new StringBuilder().append('\n').append(f).append('\t');
            try {
                FileStatus st = f.getFileSystem(conf).getFileStatus(f);
                sb.append(st.getLen()).append('\t').append(st.getModificationTime()).append('\t').append(st.isDirectory());
            } catch (FileNotFoundException e) {
                sb.append("absent");
            } catch (IOException | RuntimeException e) {
                // an unreadable file is "changed" every run, so the item is retried until it reads
                sb.append("unreadable ").append(System.nanoTime());
            }
            md.update(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    private static byte[] serialized(Serializable item) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(item);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + item.getClass().getName() + " to fingerprint it", e);
        }
        return bytes.toByteArray();
    }
}
