package org.apache.flink.runtime.state;

import java.io.Serializable;

/**
 * Test stub of Flink's StreamStateHandle. Interfaces are not written to a serialization stream,
 * so only the name matters (it appears in RetrievableStreamStateHandle's field signature).
 */
public interface StreamStateHandle extends Serializable {}
