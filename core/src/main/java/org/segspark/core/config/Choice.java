package org.segspark.core.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A closed choice of a setting: an enum whose constants are written in settings as {@link #id()}. */
public interface Choice {
    /** The constant as written: lower case, dashes. */
    default String id() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The constant written as {@code id}; otherwise an error naming {@code key} and the choices. */
    static <E extends Enum<E> & Choice> E parse(Class<E> type, String id, String key) {
        for (E e : type.getEnumConstants()) {
            if (e.id().equalsIgnoreCase(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException(key + " must be " + ids(type) + ", got \"" + id + "\"");
    }

    /** "a, b or c". */
    static <E extends Enum<E> & Choice> String ids(Class<E> type) {
        String all = Arrays.stream(type.getEnumConstants()).map(Choice::id).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return last < 0 ? all : all.substring(0, last) + " or " + all.substring(last + 2);
    }
}
