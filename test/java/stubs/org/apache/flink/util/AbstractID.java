package org.apache.flink.util;

import java.io.Serializable;

/**
 * Test stub with the serial form of Flink's org.apache.flink.util.AbstractID (serialVersionUID 1;
 * serial fields {@code long upperPart}, {@code long lowerPart}; the memoised hex string is
 * transient). toString() is Flink's: hex(lowerPart) followed by hex(upperPart), big-endian.
 */
public class AbstractID implements Comparable<AbstractID>, Serializable {

    private static final long serialVersionUID = 1L;

    private static final int SIZE_OF_LONG = 8;

    public static final int SIZE = 2 * SIZE_OF_LONG;

    protected final long upperPart;

    protected final long lowerPart;

    private transient String hexString;

    public AbstractID(byte[] bytes) {
        if (bytes == null || bytes.length != SIZE) {
            throw new IllegalArgumentException("Argument bytes must by an array of " + SIZE + " bytes");
        }
        this.lowerPart = byteArrayToLong(bytes, 0);
        this.upperPart = byteArrayToLong(bytes, SIZE_OF_LONG);
    }

    public AbstractID(long lowerPart, long upperPart) {
        this.lowerPart = lowerPart;
        this.upperPart = upperPart;
    }

    public long getLowerPart() {
        return lowerPart;
    }

    public long getUpperPart() {
        return upperPart;
    }

    public final String toHexString() {
        if (this.hexString == null) {
            final byte[] ba = new byte[SIZE];
            longToByteArray(this.lowerPart, ba, 0);
            longToByteArray(this.upperPart, ba, SIZE_OF_LONG);
            StringBuilder sb = new StringBuilder();
            for (byte b : ba) sb.append(String.format("%02x", b & 0xff));
            this.hexString = sb.toString();
        }
        return this.hexString;
    }

    @Override
    public int compareTo(AbstractID o) {
        int diff1 = Long.compare(this.upperPart, o.upperPart);
        int diff2 = Long.compare(this.lowerPart, o.lowerPart);
        return diff1 == 0 ? diff2 : diff1;
    }

    @Override
    public String toString() {
        return toHexString();
    }

    private static long byteArrayToLong(byte[] ba, int offset) {
        long l = 0;
        for (int i = 0; i < SIZE_OF_LONG; ++i) {
            l |= (ba[offset + SIZE_OF_LONG - 1 - i] & 0xffL) << (i << 3);
        }
        return l;
    }

    private static void longToByteArray(long l, byte[] ba, int offset) {
        for (int i = 0; i < SIZE_OF_LONG; ++i) {
            final int shift = i << 3;
            ba[offset + SIZE_OF_LONG - 1 - i] = (byte) ((l & (0xffL << shift)) >>> shift);
        }
    }
}
