package org.apache.flink.runtime.jobgraph;

/** Test stub of Flink's JobType (an enum is written by constant name; its UID is always 0). */
public enum JobType {
    BATCH,
    STREAMING
}
