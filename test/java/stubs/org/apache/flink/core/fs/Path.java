package org.apache.flink.core.fs;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Test stub with the serial form of Flink's org.apache.flink.core.fs.Path (serialVersionUID 1, one
 * serializable field {@code URI uri}). The string constructors follow Flink's parsing, so the
 * serialized URI text is the one Flink would write for the same path string.
 */
public class Path implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String SEPARATOR = "/";

    private URI uri;

    public Path(URI uri) {
        this.uri = uri;
    }

    public Path(String pathString) {
        pathString = pathString.trim();
        String scheme = null;
        String authority = null;
        int start = 0;
        final int colon = pathString.indexOf(':');
        final int slash = pathString.indexOf('/');
        if ((colon != -1) && ((slash == -1) || (colon < slash))) {
            scheme = pathString.substring(0, colon);
            start = colon + 1;
        }
        if (pathString.startsWith("//", start) && (pathString.length() - start > 2)) {
            final int nextSlash = pathString.indexOf('/', start + 2);
            final int authEnd = nextSlash > 0 ? nextSlash : pathString.length();
            authority = pathString.substring(start + 2, authEnd);
            start = authEnd;
        }
        initialize(scheme, authority, pathString.substring(start));
    }

    /** Flink's Path(Path parent, String child): resolves child against parent. */
    public Path(Path parent, String child) {
        URI parentUri = parent.uri;
        final String parentPath = parentUri.getPath();
        try {
            if (!(parentPath.equals("/") || parentPath.isEmpty())) {
                parentUri = new URI(parentUri.getScheme(), parentUri.getAuthority(), parentPath + "/", null, null);
            }
            URI childUri = new Path(child).uri;
            if (childUri.getPath().startsWith(SEPARATOR)) {
                childUri = new URI(childUri.getScheme(), childUri.getAuthority(), childUri.getPath().substring(1), null, null);
            }
            final URI resolved = parentUri.resolve(childUri);
            initialize(resolved.getScheme(), resolved.getAuthority(), resolved.getPath());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void initialize(String scheme, String authority, String path) {
        try {
            this.uri = new URI(scheme, authority, normalizePath(path), null, null).normalize();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String normalizePath(String path) {
        path = path.trim();
        while (path.contains("//")) {
            path = path.replace("//", "/");
        }
        if (path.endsWith(SEPARATOR) && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    public URI toUri() {
        return uri;
    }

    /** Flink's Path.toString(): the decoded components, which is what operators see in logs. */
    @Override
    public String toString() {
        final StringBuilder buffer = new StringBuilder();
        if (uri.getScheme() != null) {
            buffer.append(uri.getScheme()).append(':');
        }
        if (uri.getAuthority() != null) {
            buffer.append("//").append(uri.getAuthority());
        }
        if (uri.getPath() != null) {
            buffer.append(uri.getPath());
        }
        if (uri.getFragment() != null) {
            buffer.append('#').append(uri.getFragment());
        }
        return buffer.toString();
    }
}
