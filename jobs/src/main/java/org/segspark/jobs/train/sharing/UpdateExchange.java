package org.segspark.jobs.train.sharing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every training task's update of a step, summed on every task: a full mesh of TCP connections
 * between the N tasks of one barrier stage. Each step a task sends its update to every peer and
 * adds up the N updates in task order, so every task computes the same sum bit for bit and the
 * workers' parameters stay identical.
 */
public final class UpdateExchange implements Closeable {
    private static final int MAGIC = 0x5e65_0001;
    private final int rank;
    private final int size;
    private final Socket[] peers;
    private final DataOutputStream[] outs;
    private final DataInputStream[] ins;
    private final ExecutorService senders;
    private long bytesSent;
    private long exchangeNanos;
    /** Buffers of the last step, reused: a step's update is tens of MB, and allocating it anew each step keeps the GC busy. */
    private byte[] sendBuffer;
    private byte[] receiveBuffer;
    private float[] own;

    private UpdateExchange(int rank, Socket[] peers) throws IOException {
        this.rank = rank;
        this.size = peers.length;
        this.peers = peers;
        this.outs = new DataOutputStream[size];
        this.ins = new DataInputStream[size];
        for (int i = 0; i < size; i++) {
            if (i != rank) {
                outs[i] = new DataOutputStream(new BufferedOutputStream(peers[i].getOutputStream(), 1 << 20));
                ins[i] = new DataInputStream(new BufferedInputStream(peers[i].getInputStream(), 1 << 20));
            }
        }
        this.senders = Executors.newFixedThreadPool(Math.max(1, size - 1), r -> {
            Thread t = new Thread(r, "segspark-update-sender");
            t.setDaemon(true);
            return t;
        });
    }

    /** The listening half of a task: bound before the addresses are exchanged. */
    public static ServerSocket listen(String host) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(host, 0));
        return s;
    }

    /**
     * Connects task {@code rank} to every other task: it dials the tasks below it and accepts the
     * ones above it, each connection opened with the dialler's rank.
     *
     * @param endpoints every task's {@code host:port}, in rank order
     */
    public static UpdateExchange connect(int rank, List<String> endpoints, ServerSocket server, int timeoutMillis)
            throws IOException {
        int n = endpoints.size();
        Socket[] peers = new Socket[n];
        for (int i = 0; i < rank; i++) {
            String e = endpoints.get(i);
            int colon = e.lastIndexOf(':');
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(e.substring(0, colon), Integer.parseInt(e.substring(colon + 1))), timeoutMillis);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(MAGIC);
            out.writeInt(rank);
            out.flush();
            peers[i] = s;
        }
        server.setSoTimeout(timeoutMillis);
        for (int k = rank + 1; k < n; k++) {
            Socket s = server.accept();
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            if (in.readInt() != MAGIC) {
                s.close();
                throw new IOException("a connection to the update exchange did not come from a training task");
            }
            int peer = in.readInt();
            if (peer <= rank || peer >= n || peers[peer] != null) {
                s.close();
                throw new IOException("unexpected training task " + peer + " connecting to task " + rank);
            }
            peers[peer] = s;
        }
        server.close();
        return new UpdateExchange(rank, peers);
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** Bytes this task sent so far. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Time spent in {@link #sum} so far (sending, waiting for and adding the peers' updates). */
    public long exchangeNanos() {
        return exchangeNanos;
    }

    /**
     * Replaces {@code update} with the sum of every task's update, added in task order. Every task
     * must call this the same number of times with arrays of the same length.
     */
    public void sum(float[] update) throws IOException {
        long t0 = System.nanoTime();
        int n = update.length;
        if (sendBuffer == null || sendBuffer.length != 4 * n) {
            sendBuffer = new byte[4 * n];
            receiveBuffer = new byte[4 * n];
            own = new float[n];
        }
        byte[] mine = sendBuffer;
        ByteBuffer.wrap(mine).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(update);
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (i != rank) {
                DataOutputStream out = outs[i];
                sent.add(senders.submit(() -> {
                    try {
                        out.writeInt(n);
                        out.write(mine);
                        out.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return null;
                }));
                bytesSent += 4L + mine.length;
            }
        }
        System.arraycopy(update, 0, own, 0, n);
        for (int i = 0; i < size; i++) {
            if (i == rank) {
                add(update, own, i == 0);
                continue;
            }
            int len = ins[i].readInt();
            if (len != n) {
                throw new IOException("training task " + i + " sent an update of " + len + " values, this task has " + n);
            }
            ins[i].readFully(receiveBuffer);
            java.nio.FloatBuffer other = ByteBuffer.wrap(receiveBuffer).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            if (i == 0) {
                other.get(update);
            } else {
                for (int j = 0; j < n; j++) {
                    update[j] += other.get(j);
                }
            }
        }
        for (Future<?> f : sent) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("sending the update to a peer failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while sending the update", e);
            }
        }
        exchangeNanos += System.nanoTime() - t0;
    }

    /** Adds (or, first in task order, copies) one task's update into the sum. */
    private static void add(float[] sum, float[] part, boolean first) {
        if (first) {
            System.arraycopy(part, 0, sum, 0, part.length);
        } else {
            for (int j = 0; j < part.length; j++) {
                sum[j] += part[j];
            }
        }
    }

    @Override
    public void close() {
        senders.shutdownNow();
        for (Socket s : peers) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing: the peer may have closed first
                }
            }
        }
    }
}
