package org.segspark.jobs.train.sharing;

import org.segspark.core.config.Choice;

import java.io.Serializable;

/**
 * Gradient sharing: every minibatch's update reaches every worker, instead of parameters being
 * averaged now and then. {@code sync} is segspark's synchronous exchange between the tasks of a
 * barrier stage; {@code dl4j} is DL4J's SharedTrainingMaster (threshold-encoded updates over
 * Aeron UDP, asynchronous), whose settings are the rest.
 *
 * @param exchange      sync or dl4j
 * @param mean          sync: apply the mean of the workers' updates instead of their sum
 * @param bfloat16      sync: send the updates as bfloat16, the rounding kept and sent with the next step
 * @param threshold     the encoding threshold (the adaptive algorithm's starting value): update
 *                      elements of at least this magnitude are sent, the rest accumulate
 * @param adaptive      adapt the threshold to keep the sparsity of the messages in DL4J's target band
 * @param port          the driver's (controller's) UDP port; workers take a free port each
 * @param residualClip  clip the accumulated residual at this many thresholds (0 = DL4J's default)
 */
public record GradientSharing(Exchange exchange, boolean mean, boolean bfloat16, double threshold, boolean adaptive,
                              int port, int residualClip) implements Serializable {

    /** Whose exchange carries the updates. */
    public enum Exchange implements Choice {
        SYNC, DL4J
    }

    /** What the workers apply: the sum of their updates, or the mean. */
    public enum Combine implements Choice {
        SUM, MEAN
    }

    /** How update values travel. */
    public enum Precision implements Choice {
        FLOAT32, BFLOAT16
    }
}
