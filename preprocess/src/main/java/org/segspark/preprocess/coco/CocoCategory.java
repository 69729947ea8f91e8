package org.segspark.preprocess.coco;

import java.io.Serializable;

/** An entry of a COCO file's {@code categories} array. */
public record CocoCategory(long id, String name, String supercategory) implements Serializable {
}
