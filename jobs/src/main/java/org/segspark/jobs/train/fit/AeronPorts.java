package org.segspark.jobs.train.fit;

import org.apache.spark.TaskContext;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;

/**
 * UDP ports for gradient sharing's Aeron transport. The driver (the controller) listens on the
 * configured port; each executor JVM takes a free port of its own, so two executors on one host —
 * or an executor inside the driver's JVM in local mode — never bind the same one. DL4J asks more
 * than once per JVM, so a worker's port is chosen once.
 */
public final class AeronPorts implements PortSupplier {
    private static final long serialVersionUID = 1L;
    private static volatile int workerPort;
    private final int controllerPort;

    public AeronPorts(int controllerPort) {
        this.controllerPort = controllerPort;
    }

    @Override
    public int getPort() {
        // the driver asks outside any task; workers ask from their training task
        return TaskContext.get() == null ? controllerPort : workerPort();
    }

    private static int workerPort() {
        if (workerPort == 0) {
            synchronized (AeronPorts.class) {
                if (workerPort == 0) {
                    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("0.0.0.0"))) {
                        workerPort = s.getLocalPort();
                    } catch (IOException e) {
                        throw new UncheckedIOException("no free UDP port for gradient sharing", e);
                    }
                }
            }
        }
        return workerPort;
    }
}
