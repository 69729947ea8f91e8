package org.segspark.jobs.records;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * What segspark's gradient-sharing exchange measured over an epoch (EpochTiming's {@code sharing}).
 *
 * @param minibatchesLeftOut     minibatches not trained so that every worker takes the same steps
 * @param bytesPerStep           bytes each worker sent per step
 * @param exchangeSeconds        time in the exchange, summed over the workers
 * @param packingSeconds         of which the workers' own work: values into bytes and back, adding (null in older runs)
 * @param conversionSeconds      copies between ND4J's arrays and the exchange (null in older runs)
 * @param workersAgree           the workers' parameters were equal bit for bit at the epoch's end
 * @param maxParameterDifference the largest difference between two workers' parameters
 * @param exchangeSecondsByWorker each worker's time in the exchange, in rank order (null in older runs)
 * @param loadingSeconds         time the workers' loaders took to read and build minibatches, summed (null in older runs)
 */
public record SharingFigures(@JsonProperty("steps_per_worker") long stepsPerWorker,
                             @JsonProperty("minibatches_left_out") int minibatchesLeftOut,
                             @JsonProperty("bytes_per_step") long bytesPerStep,
                             @JsonProperty("exchange_seconds") double exchangeSeconds,
                             @JsonProperty("packing_seconds") Double packingSeconds,
                             @JsonProperty("conversion_seconds") Double conversionSeconds,
                             @JsonProperty("workers_agree") boolean workersAgree,
                             @JsonProperty("max_parameter_difference") double maxParameterDifference,
                             @JsonProperty("exchange_seconds_by_worker") List<Double> exchangeSecondsByWorker,
                             @JsonProperty("loading_seconds") Double loadingSeconds) {
}
