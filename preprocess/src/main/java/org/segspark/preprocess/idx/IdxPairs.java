package org.segspark.preprocess.idx;

import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** An images file with its labels file, checked against each other, cut into chunks an executor reads at once. */
public final class IdxPairs {
    /** Records per unit of work. */
    static final int CHUNK = 5000;

    private IdxPairs() {
    }

    /** A run of records of one split: its images and their labels. */
    public record Chunk(IdxFile images, IdxFile labels, String split, long first, int records) implements Serializable {
    }

    /** Opens and checks both files (see {@link IdxFile#open}) and that they hold one label per image. */
    public static List<Chunk> plan(String images, String labels, String split, Configuration conf) throws IOException {
        IdxFile im = IdxFile.open(images, conf);
        IdxFile lb = IdxFile.open(labels, conf);
        if (im.rank() != 3) {
            throw new IdxFormatException(images + ": rank " + im.rank() + " at offset 3, but an images file has rank 3 "
                    + "[count, rows, cols]; are --images and --labels swapped?");
        }
        if (lb.rank() != 1) {
            throw new IdxFormatException(labels + ": rank " + lb.rank() + " at offset 3, but a labels file has rank 1 "
                    + "[count]; are --images and --labels swapped?");
        }
        if (im.count() != lb.count()) {
            throw new IdxFormatException(String.format("%s holds %,d images (offset 4) but %s holds %,d labels: "
                    + "they are not one data set's pair", images, im.count(), labels, lb.count()));
        }
        List<Chunk> chunks = new ArrayList<>();
        for (long first = 0; first < im.count(); first += CHUNK) {
            chunks.add(new Chunk(im, lb, split, first, (int) Math.min(CHUNK, im.count() - first)));
        }
        return chunks;
    }
}
