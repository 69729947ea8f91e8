package org.segspark.models.graph;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.Map;

/**
 * Optimiser state moved between two networks that share layers by name (a decoder trained alone
 * and the whole network it belongs to). DL4J keeps one state array per block of consecutive
 * parameters with the same updater, laid out as the updater's sections (Adam: first moments,
 * then second moments) over the block's parameters; a parameter's state is its slice of each
 * section, found from its offset within the block.
 */
public final class UpdaterStates {
    private UpdaterStates() {
    }

    /** One parameter's place in its block's state. */
    private record Slot(INDArray blockState, long blockParams, long offset, long length, long sections) {
        INDArray section(int k) {
            long start = k * blockParams + offset;
            return blockState.get(NDArrayIndex.interval(start, start + length));
        }
    }

    /** Copies the state of every parameter of {@code to} that {@code from} has too (same layer and parameter names). */
    public static void copy(ComputationGraph from, ComputationGraph to) {
        Map<String, Slot> source = slots(from);
        for (Map.Entry<String, Slot> e : slots(to).entrySet()) {
            Slot s = source.get(e.getKey());
            Slot t = e.getValue();
            if (s == null || t.sections() == 0) {
                continue;
            }
            if (s.sections() != t.sections() || s.length() != t.length()) {
                throw new IllegalStateException("optimiser state of " + e.getKey() + " differs in layout between the "
                        + "two networks (" + s.sections() + " x " + s.length() + " vs " + t.sections() + " x " + t.length() + ")");
            }
            for (int k = 0; k < t.sections(); k++) {
                t.section(k).assign(s.section(k));
            }
        }
    }

    private static Map<String, Slot> slots(ComputationGraph net) {
        ComputationGraphUpdater updater = net.getUpdater(true);
        Map<String, Slot> slots = new HashMap<>();
        for (UpdaterBlock b : updater.getUpdaterBlocks()) {
            INDArray state = b.getUpdaterView();
            long blockParams = b.getParamOffsetEnd() - b.getParamOffsetStart();
            long sections = state == null || blockParams == 0 ? 0 : state.length() / blockParams;
            for (UpdaterBlock.ParamState p : b.getLayersAndVariablesInBlock()) {
                String key = p.getLayer().getConfig().getLayerName() + "/" + p.getParamName();
                slots.put(key, new Slot(state, blockParams, p.getParamOffsetStart() - b.getParamOffsetStart(),
                        p.getParamOffsetEnd() - p.getParamOffsetStart(), sections));
            }
        }
        return slots;
    }
}
