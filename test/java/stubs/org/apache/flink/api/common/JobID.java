package org.apache.flink.api.common;

import org.apache.flink.util.AbstractID;

/** Test stub with the serial form of Flink's JobID: serialVersionUID 1, no serial fields of its own. */
public final class JobID extends AbstractID {

    private static final long serialVersionUID = 1L;

    public JobID(long lowerPart, long upperPart) {
        super(lowerPart, upperPart);
    }

    public JobID(byte[] bytes) {
        super(bytes);
    }

    /** JobID.fromHexString: 32 hex characters, the first 16 are the lower part. */
    public static JobID fromHexString(String hexString) {
        if (hexString.length() != 2 * SIZE) {
            throw new IllegalArgumentException("Cannot parse JobID from \"" + hexString + "\"");
        }
        byte[] bytes = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            bytes[i] = (byte) Integer.parseInt(hexString.substring(2 * i, 2 * i + 2), 16);
        }
        return new JobID(bytes);
    }
}
