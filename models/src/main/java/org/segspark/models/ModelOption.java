package org.segspark.models;

import org.segspark.core.config.Choice;

/**
 * An option a registry model may take beyond classes, input size and seed: each {@link ModelSpec}
 * lists the ones it has, and a run that sets another is refused, not silently ignored. The ids are
 * the keys of training's {@code model-options} (width-multiplier is a top-level training setting).
 */
public enum ModelOption implements Choice {
    /** MobileNet's alpha ({@link ModelConfig#widthMultiplier()}). */
    WIDTH_MULTIPLIER,
    /** DeepLabV3+'s output stride. */
    OUTPUT_STRIDE,
    /** U-Net's same or valid convolutions. */
    PADDING,
    /** unet-vgg16's sigmoid or softmax head. */
    HEAD,
    /** Keep a pretrained encoder's parameters fixed. */
    FREEZE_ENCODER,
    /** Keras Applications weights for a VGG16 or MobileNetV2 encoder, matched by layer name. */
    PRETRAINED,
    /** A searchable model's architecture (search settings or a pruned definition). */
    ARCHITECTURE
}
