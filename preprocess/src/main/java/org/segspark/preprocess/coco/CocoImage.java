package org.segspark.preprocess.coco;

import java.io.Serializable;

/**
 * An entry of a COCO file's {@code images} array.
 *
 * @param problem why the entry cannot be used (no integer id, no file name, no size, an id shared
 *                with another entry), or null: such an image is a reject, not the end of the run
 */
public record CocoImage(long id, String fileName, int width, int height, String problem) implements Serializable {
    public CocoImage(long id, String fileName, int width, int height) {
        this(id, fileName, width, height, null);
    }

    public CocoImage withProblem(String why) {
        return new CocoImage(id, fileName, width, height, why);
    }
}
