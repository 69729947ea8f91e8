package org.segspark.preprocess.coco;

import java.io.Serializable;

/** An entry of a COCO file's {@code images} array. */
public record CocoImage(long id, String fileName, int width, int height) implements Serializable {
}
