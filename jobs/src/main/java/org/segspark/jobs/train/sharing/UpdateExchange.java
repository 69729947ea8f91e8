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
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every training task's update of a step, summed on every task: the N tasks of one barrier stage
 * form a ring of TCP connections (each task to the next) over which they all-reduce the update
 * ({@link #sum}). Every task ends with the same sum bit for bit, so the workers' parameters stay
 * identical.
 */
public final class UpdateExchange implements Closeable {
    private static final int MAGIC = 0x5e65_0001;
    private final int rank;
    private final int size;
    /** The connection this task dialled to the next task, and the one the previous task dialled to it (none alone). */
    private final Socket toNext;
    private final Socket fromPrevious;
    private final DataOutputStream next;
    private final DataInputStream previous;
    private final ExecutorService sender;
    private long bytesSent;
    private long exchangeNanos;
    private long packingNanos;
    /** Buffers of the last step, reused: a step's update is tens of MB, and allocating it anew each step keeps the GC busy. */
    private byte[] sendBuffer;
    private byte[] receiveBuffer;
    /** Values travel as bfloat16 (the upper half of a float32), 2 bytes instead of 4. */
    private final boolean bfloat16;
    /** With bfloat16: what rounding took off the values this task sent, added to its next update. */
    private float[] residual;

    private UpdateExchange(int rank, int size, Socket toNext, Socket fromPrevious, boolean bfloat16) throws IOException {
        this.rank = rank;
        this.bfloat16 = bfloat16;
        this.size = size;
        this.toNext = toNext;
        this.fromPrevious = fromPrevious;
        this.next = toNext == null ? null : new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 20));
        this.previous = fromPrevious == null ? null
                : new DataInputStream(new BufferedInputStream(fromPrevious.getInputStream(), 1 << 20));
        this.sender = Executors.newSingleThreadExecutor(r -> {
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
     * Connects task {@code rank} into the ring: it dials the next task and accepts the previous
     * one's connection, which opens with the dialler's rank. Closes {@code server}.
     *
     * @param endpoints every task's {@code host:port}, in rank order
     * @param bfloat16  send values as bfloat16 (every task must agree)
     */
    public static UpdateExchange connect(int rank, List<String> endpoints, ServerSocket server, int timeoutMillis,
                                         boolean bfloat16) throws IOException {
        int n = endpoints.size();
        if (n == 1) {
            server.close();
            return new UpdateExchange(rank, 1, null, null, bfloat16);
        }
        String e = endpoints.get((rank + 1) % n);
        int colon = e.lastIndexOf(':');
        Socket toNext = new Socket();
        toNext.setTcpNoDelay(true);
        toNext.connect(new InetSocketAddress(e.substring(0, colon), Integer.parseInt(e.substring(colon + 1))), timeoutMillis);
        DataOutputStream out = new DataOutputStream(toNext.getOutputStream());
        out.writeInt(MAGIC);
        out.writeInt(rank);
        out.flush();
        server.setSoTimeout(timeoutMillis);
        Socket fromPrevious = server.accept();
        server.close();
        DataInputStream in = new DataInputStream(fromPrevious.getInputStream());
        int magic = in.readInt();
        int peer = magic == MAGIC ? in.readInt() : -1;
        if (peer != Math.floorMod(rank - 1, n)) {
            toNext.close();
            fromPrevious.close();
            throw new IOException(magic != MAGIC ? "a connection to the update exchange did not come from a training task"
                    : "training task " + peer + " connected to task " + rank + ", expected task " + Math.floorMod(rank - 1, n));
        }
        return new UpdateExchange(rank, n, toNext, fromPrevious, bfloat16);
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

    /** Time {@link #sum} spent on this task's own work so far: packing chunks into bytes, unpacking and adding them. */
    public long packingNanos() {
        return packingNanos;
    }

    /** Time spent in {@link #sum} so far (sending, waiting for and adding the peers' updates). */
    public long exchangeNanos() {
        return exchangeNanos;
    }

    /**
     * Replaces {@code update} with the sum of every task's update, by a ring all-reduce: the
     * update is cut into one chunk per task; in N - 1 steps each task passes a partial sum of one
     * chunk to the next task, which adds its own part (after them task r holds the whole sum of
     * chunk r + 1), and in N - 1 more the finished chunks travel round the ring. Each task sends
     * 2 (N - 1) / N of an update per step whatever N is, and every chunk is added up once, in a
     * fixed order, then copied: every task ends with the same sum bit for bit. Every task must call
     * this the same number of times with arrays of the same length.
     * <p>With bfloat16 every value sent is rounded to 8 significant bits and the task that rounded
     * it keeps the difference and adds it to its next update, so nothing is lost, only delayed a
     * step; a finished chunk's owner takes the rounded value as the others do.
     */
    public void sum(float[] update) throws IOException {
        long t0 = System.nanoTime();
        int n = update.length;
        if (size > 1) {
            int longest = bytesPerValue() * ((n + size - 1) / size);
            if (sendBuffer == null || sendBuffer.length != longest) {
                sendBuffer = new byte[longest];
                receiveBuffer = new byte[longest];
            }
            if (bfloat16) {
                if (residual == null || residual.length != n) {
                    residual = new float[n];
                }
                for (int i = 0; i < n; i++) {
                    update[i] += residual[i];
                    residual[i] = 0;
                }
            }
            for (int s = 0; s < size - 1; s++) {
                passOn(update, Math.floorMod(rank - s, size), Math.floorMod(rank - s - 1, size), true);
            }
            for (int s = 0; s < size - 1; s++) {
                passOn(update, Math.floorMod(rank + 1 - s, size), Math.floorMod(rank - s, size), false);
            }
        }
        exchangeNanos += System.nanoTime() - t0;
    }

    /**
     * Sends chunk {@code out} of {@code update} to the next task while receiving chunk {@code in}
     * from the previous one, which is added to this task's part ({@code add}) or replaces it.
     */
    private void passOn(float[] update, int out, int in, boolean add) throws IOException {
        int n = update.length;
        int outFrom = chunkStart(n, out), outLength = chunkLength(n, out);
        byte[] mine = sendBuffer;
        long t0 = System.nanoTime();
        int outBytes = bytesPerValue() * outLength;
        if (bfloat16) {
            ShortBuffer packed = ByteBuffer.wrap(mine, 0, outBytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            for (int j = 0; j < outLength; j++) {
                float v = update[outFrom + j];
                short b = toBfloat16(v);
                float sent = fromBfloat16(b);
                residual[outFrom + j] += v - sent;
                update[outFrom + j] = sent;
                packed.put(j, b);
            }
        } else {
            ByteBuffer.wrap(mine, 0, outBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(update, outFrom, outLength);
        }
        packingNanos += System.nanoTime() - t0;
        // written by another thread: every task sends before it receives, and a chunk is larger than
        // the sockets' buffers
        Future<?> sent = sender.submit(() -> {
            try {
                next.writeInt(n);
                next.writeInt(out);
                next.write(mine, 0, outBytes);
                next.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return null;
        });
        bytesSent += 8L + outBytes;
        int length = previous.readInt(), chunk = previous.readInt();
        if (length != n || chunk != in) {
            throw new IOException("training task " + Math.floorMod(rank - 1, size) + " sent chunk " + chunk + " of an update of "
                    + length + " values; task " + rank + " expected chunk " + in + " of " + n);
        }
        int from = chunkStart(n, in), inLength = chunkLength(n, in);
        previous.readFully(receiveBuffer, 0, bytesPerValue() * inLength);
        long t1 = System.nanoTime();
        ByteBuffer received = ByteBuffer.wrap(receiveBuffer, 0, bytesPerValue() * inLength).order(ByteOrder.LITTLE_ENDIAN);
        if (bfloat16) {
            ShortBuffer other = received.asShortBuffer();
            for (int j = 0; j < inLength; j++) {
                update[from + j] = add ? update[from + j] + fromBfloat16(other.get(j)) : fromBfloat16(other.get(j));
            }
        } else if (add) {
            FloatBuffer other = received.asFloatBuffer();
            for (int j = 0; j < inLength; j++) {
                update[from + j] += other.get(j);
            }
        } else {
            received.asFloatBuffer().get(update, from, inLength);
        }
        packingNanos += System.nanoTime() - t1;
        try {
            sent.get();
        } catch (ExecutionException e) {
            throw new IOException("sending an update chunk to training task " + (rank + 1) % size + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending an update chunk", e);
        }
    }

    private int bytesPerValue() {
        return bfloat16 ? 2 : 4;
    }

    /** The nearest bfloat16 (ties to even): the upper 16 bits of the rounded float32. */
    static short toBfloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7f80_0000) == 0x7f80_0000) {
            return (short) (bits >>> 16);      // infinities and NaN as they are: a diverged run shows it
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static float fromBfloat16(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    private int chunkStart(int n, int chunk) {
        return (int) ((long) n * chunk / size);
    }

    private int chunkLength(int n, int chunk) {
        return chunkStart(n, chunk + 1) - chunkStart(n, chunk);
    }

    @Override
    public void close() {
        sender.shutdownNow();
        for (Socket s : new Socket[]{toNext, fromPrevious}) {
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
