package org.segspark.jobs.data;

import org.segspark.core.shards.ShardSet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * An epoch's minibatches, planned on the driver from the manifest alone: row groups in a seeded
 * random order, cut into consecutive slices of exactly {@code batch} rows (the last may be
 * shorter). A batch travels as one URI string, {@code <first file URI>#<base64url of
 * "file#group:start:count|...">}: DL4J hands each path to a Hadoop FileSystem lookup, so it must
 * be a valid URI on the shards' file system. Each training task loads exactly its batches' rows
 * and every minibatch has the configured size without DL4J re-batching (whose splitting of loaded
 * data fails on edge cases).
 */
public final class BatchPlan {
    private BatchPlan() {
    }

    /** One contiguous run of rows inside a row group. */
    public record Slice(String file, int group, int start, int count) {
    }

    public static List<String> plan(List<ShardSet.RowGroup> groups, int batch, long seed) {
        List<ShardSet.RowGroup> order = new ArrayList<>(groups);
        Collections.shuffle(order, new Random(seed));
        List<String> batches = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int inBatch = 0;
        for (ShardSet.RowGroup g : order) {
            int start = 0;
            while (start < g.rows()) {
                int take = (int) Math.min(batch - inBatch, g.rows() - start);
                if (current.length() > 0) {
                    current.append('|');
                }
                current.append(g.file()).append('#').append(g.index()).append(':').append(start).append(':').append(take);
                start += take;
                inBatch += take;
                if (inBatch == batch) {
                    batches.add(encode(current.toString()));
                    current.setLength(0);
                    inBatch = 0;
                }
            }
        }
        if (inBatch > 0) {
            batches.add(encode(current.toString()));
        }
        return batches;
    }

    static String encode(String spec) {
        String first = spec.substring(0, spec.indexOf('#'));
        return first + "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(spec.getBytes(StandardCharsets.UTF_8));
    }

    public static List<Slice> parse(String batchRef) {
        int at = batchRef.lastIndexOf('#');
        if (at < 0) {
            throw new IllegalArgumentException("not a batch reference: " + batchRef);
        }
        String spec = new String(Base64.getUrlDecoder().decode(batchRef.substring(at + 1)), StandardCharsets.UTF_8);
        List<Slice> slices = new ArrayList<>();
        for (String part : spec.split("\\|")) {
            int hash = part.lastIndexOf('#');
            String[] f = part.substring(hash + 1).split(":");
            if (hash < 0 || f.length != 3) {
                throw new IllegalArgumentException("not a batch reference (file#group:start:count): " + part);
            }
            slices.add(new Slice(part.substring(0, hash), Integer.parseInt(f[0]), Integer.parseInt(f[1]),
                    Integer.parseInt(f[2])));
        }
        return slices;
    }

    /** Whole row groups, in a seeded order, until they hold at least {@code examples} rows. */
    public static List<ShardSet.RowGroup> sampleGroups(List<ShardSet.RowGroup> groups, int examples, long seed) {
        List<ShardSet.RowGroup> shuffled = new ArrayList<>(groups);
        Collections.shuffle(shuffled, new Random(seed));
        List<ShardSet.RowGroup> out = new ArrayList<>();
        long rows = 0;
        for (ShardSet.RowGroup g : shuffled) {
            if (rows >= examples) {
                break;
            }
            out.add(g);
            rows += g.rows();
        }
        return out;
    }

    /** The references of such a sample: a fixed set of training examples evaluated after every epoch. */
    public static List<String> sample(List<ShardSet.RowGroup> groups, int examples, long seed) {
        return sampleGroups(groups, examples, seed).stream().map(ShardSet.RowGroup::ref).toList();
    }
}
