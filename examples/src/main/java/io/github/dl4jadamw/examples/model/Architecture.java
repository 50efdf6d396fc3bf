package io.github.dl4jadamw.examples.model;

import io.github.dl4jadamw.examples.data.ImageData;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunShape;

/** A network the trainer can build for a run: its input layout, augmentation and construction. */
public interface Architecture {
    /** The name results record ({@code --model}). */
    String id();

    /** Features fed as [batch, C·H·W] (true) or [batch, C, H, W]. */
    boolean flatInput();

    /** Random-crop padding in pixels (0 = no crop). */
    int cropPadding();

    /** Random horizontal flips of training images. */
    boolean flip();

    /** Throws unless the data fits this network's input. */
    void checkInput(ImageData data);

    /** Builds and initialises the network for one run (same seed → same initial weights for every optimizer). */
    Net network(OptimizerSpec opt, long seed, RunShape shape, ImageData data);

    /** One sentence for a report's protocol: layers, initialisation, loss. */
    String description();

    /** Test images per inference batch (memory and speed only: inference results do not depend on it). */
    default int evalBatch() {
        return 1000;
    }

    default boolean augmented() {
        return cropPadding() > 0 || flip();
    }
}
