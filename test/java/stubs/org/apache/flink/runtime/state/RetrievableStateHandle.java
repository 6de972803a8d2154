package org.apache.flink.runtime.state;

import java.io.Serializable;

/**
 * Test stub of Flink's RetrievableStateHandle: the declared type of
 * KubernetesStateHandleStore.StateHandleWithDeleteMarker#inner, so its name is in that field's
 * signature in the stream.
 */
public interface RetrievableStateHandle<T extends Serializable> extends StateObject {}
