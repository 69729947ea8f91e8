package org.segspark.jobs.run;

/**
 * What a run keeps on disk. Only a checkpoint that training may continue from needs the updater's
 * state (Adam's two moments: twice the parameters again), so best.zip and model.zip are written
 * without it unless asked; of the epoch checkpoints, the newest {@code keepCheckpoints} stay.
 */
public record Retention(int keepCheckpoints, boolean finalWithUpdater) {
    public Retention {
        if (keepCheckpoints < 1) {
            throw new IllegalArgumentException("keep-checkpoints must be >= 1 (--resume continues from the newest), got "
                    + keepCheckpoints);
        }
    }
}
