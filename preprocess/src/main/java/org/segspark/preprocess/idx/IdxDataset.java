package org.segspark.preprocess.idx;

import org.segspark.core.config.Choice;

import java.util.List;

/** The MNIST-family data sets segspark knows by name: their class names, in label order. */
public enum IdxDataset implements Choice {
    MNIST(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")),
    FASHION_MNIST(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
            "Ankle boot")),
    /** Kuzushiji-MNIST: one cursive hiragana per class, named by its romanisation. */
    KMNIST(List.of("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"));

    private final List<String> classes;

    IdxDataset(List<String> classes) {
        this.classes = classes;
    }

    public List<String> classes() {
        return classes;
    }
}
